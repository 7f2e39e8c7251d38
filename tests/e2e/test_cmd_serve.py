"""`huanjie serve --no-scheduler` upgrades the schema, serves the API on waitress and logs each request."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from workflow.db import Database

pytestmark = pytest.mark.slow  # a real `huanjie serve` process per test

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_the_api_and_writes_an_access_log_line(db: Database, tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "HUANJIE_DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
           "HUANJIE_INSTANCE": str(tmp_path), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "huanjie.cli", "serve", "--port", str(port), "--threads", "4",
                             "--no-scheduler"], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60
        while True:
            try:
                r = requests.get(f"http://127.0.0.1:{port}/api/v1/ping-db", timeout=2)
                break
            except requests.ConnectionError:
                assert proc.poll() is None and time.time() < deadline, proc.communicate()
                time.sleep(0.2)
        assert r.status_code == 200 and r.json()["ok"] is True
        denied = requests.get(f"http://127.0.0.1:{port}/api/v1/me?x=1", timeout=5)
        assert denied.status_code == 401 and denied.json()["error"] == "unauthenticated"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "scheduler off" in out
    assert '"GET /api/v1/ping-db HTTP/1.1" 200' in out
    assert '"GET /api/v1/me?x=1 HTTP/1.1" 401' in out


def test_serve_on_a_port_in_use_is_a_one_line_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        env = {**os.environ, "HUANJIE_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
               "HUANJIE_INSTANCE": str(tmp_path), "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, "-m", "huanjie.cli", "serve", "--port", str(port), "--no-scheduler"],
                              env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("error: cannot listen") and done.stderr.count("\n") == 1
