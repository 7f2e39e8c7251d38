# Two commands for a fresh machine: `make demo` (install, load demo data on SQLite, serve) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000

.PHONY: install install-test demo-deps system-deps demo test lint serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip >/dev/null

install: $(BIN)/python
	$(BIN)/pip install -e .
	$(BIN)/pybabel compile -f -d web/translations >/dev/null 2>&1 || true

install-test: $(BIN)/python
	$(BIN)/pip install -e '.[test]'
	$(BIN)/pybabel compile -f -d web/translations >/dev/null 2>&1 || true

# Debian packages. The demo publishes announcements as PDF: WeasyPrint on pango with the Noto CJK fonts
# (demo-deps). The tests also drive Chromium (Playwright) and read the PDF's text back with poppler's pdftotext.
DEMO_PACKAGES = fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0
APT_PACKAGES = chromium poppler-utils $(DEMO_PACKAGES)
APT_GET = if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $(1); \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq $(1); fi
demo-deps:
	@if ! ldconfig -p | grep -q libpangoft2 || ! fc-list 2>/dev/null | grep -qi 'noto.*cjk'; then \
	  $(call APT_GET,$(DEMO_PACKAGES)); fi
system-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/pdftotext ] || ! ldconfig -p | grep -q libpangoft2 \
	    || ! fc-list 2>/dev/null | grep -qi 'noto.*cjk'; then \
	  $(call APT_GET,$(APT_PACKAGES)); fi

demo: demo-deps install
	$(BIN)/huanjie demo
	$(BIN)/huanjie serve --port $(PORT)

serve: install
	$(BIN)/huanjie serve --port $(PORT)

# ruff (rules in pyproject.toml) and mypy (settings in setup.cfg) on the production packages
lint: install-test
	$(BIN)/ruff check workflow web scheduler huanjie
	$(BIN)/mypy

# lint first, then the whole suite on every core (pytest-xdist, one PostgreSQL database per worker), the 20 slowest tests at the end
PYTEST_WORKERS ?= auto
test: system-deps install-test lint
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --durations=20

clean:
	rm -rf $(VENV) instance build *.egg-info
