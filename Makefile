# Two commands for a fresh machine: `make demo` (install, load demo data on SQLite, serve) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000

.PHONY: install install-test system-deps demo test serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip >/dev/null

install: $(BIN)/python
	$(BIN)/pip install -e .
	$(BIN)/pybabel compile -f -d web/translations >/dev/null 2>&1 || true

install-test: $(BIN)/python
	$(BIN)/pip install -e '.[test]'
	$(BIN)/pybabel compile -f -d web/translations >/dev/null 2>&1 || true

# Debian packages the browser tests need (Chromium for Playwright, CJK fonts for screenshots)
system-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium fonts-noto-cjk; fi; fi

demo: install
	$(BIN)/huanjie demo
	$(BIN)/huanjie serve --port $(PORT)

serve: install
	$(BIN)/huanjie serve --port $(PORT)

test: system-deps install-test
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) instance build *.egg-info
