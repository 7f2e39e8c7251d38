"""`huanjie serve --workers N`: N gunicorn processes and no scheduler; HUP and USR2 reload without a lost request."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from tests.e2e.test_cmd_serve import ROOT, free_port
from workflow.db import Database

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="gunicorn runs on Unix")]


def start(db: Database, tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], int, Path]:
    """Start `huanjie serve`; its logs go to files (a pipe nobody reads fills up and blocks the server)."""
    port, pid_file = free_port(), tmp_path / "master.pid"
    env = {**os.environ, "HUANJIE_DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
           "HUANJIE_INSTANCE": str(tmp_path), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "huanjie.cli", "serve", "--port", str(port), "--pid",
                             str(pid_file), "--no-access-log", *args], env=env, cwd=tmp_path,
                            stdout=(tmp_path / "out.log").open("w"), stderr=(tmp_path / "err.log").open("w"),
                            text=True)
    deadline = time.time() + 90
    while True:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200 and pid_file.exists():
                return proc, port, pid_file
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or no worker booted yet
            pass
        assert proc.poll() is None and time.time() < deadline, (tmp_path / "err.log").read_text()[-3000:]
        time.sleep(0.2)


def stop(proc: subprocess.Popen[str], tmp_path: Path) -> tuple[str, str]:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    return (tmp_path / "out.log").read_text(), (tmp_path / "err.log").read_text()


def worker_pids(port: int, tries: int = 40) -> set[int]:
    # during a HUP the new workers boot while the old ones stop: a request may wait in the listen queue meanwhile
    return {requests.get(f"http://127.0.0.1:{port}/healthz", timeout=30).json()["pid"] for _ in range(tries)}


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


class Load:
    """Clients that never pause (a new connection per request, as nginx opens them) and one slow upload."""

    def __init__(self, port: int, clients: int = 6) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.running = True
        self.answers: list[int] = []
        self.failures: list[str] = []
        self.threads = [threading.Thread(target=self._client, daemon=True) for _ in range(clients)]
        for t in self.threads:
            t.start()

    def _client(self) -> None:
        while self.running:
            try:
                self.answers.append(requests.get(f"{self.base}/api/v1/ping-db", timeout=30).status_code)
            except requests.RequestException as exc:
                self.failures.append(repr(exc))

    def slow_login(self, seconds: float) -> Any:
        """A login whose body trickles in for `seconds`: in flight in an old worker while it is told to stop."""
        def body() -> Iterator[bytes]:
            yield b'{"username": "nobody", '
            time.sleep(seconds)
            yield b'"password": "wrong-password"}'
        return requests.post(f"{self.base}/api/v1/auth/token", data=body(), timeout=60,
                             headers={"Content-Type": "application/json"})

    def finish(self) -> None:
        self.running = False
        for t in self.threads:
            t.join(timeout=60)


def test_several_workers_answer_from_several_processes_without_a_scheduler(db: Database, tmp_path: Path) -> None:
    proc, port, pid_file = start(db, tmp_path, "--workers", "2", "--threads", "2")
    try:
        pids = worker_pids(port)
        master = int(pid_file.read_text())
        assert len(pids) == 2 and master not in pids
        ready = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=10)
        assert ready.status_code == 503 and ready.json()["checks"]["scheduler"] == {"ok": False}
    finally:
        out, err = stop(proc, tmp_path)
    assert proc.returncode == 0, err
    assert "2 workers of 2 threads, gunicorn; scheduler off" in out


def test_the_scheduler_is_refused_inside_several_workers(tmp_path: Path) -> None:
    env = {**os.environ, "HUANJIE_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
           "HUANJIE_INSTANCE": str(tmp_path), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "huanjie.cli", "serve", "--workers", "3", "--scheduler"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("error: the scheduler runs in one process only") and done.stderr.count("\n") == 1


def test_a_hup_replaces_every_worker_and_answers_every_request_in_flight(db: Database, tmp_path: Path) -> None:
    proc, port, pid_file = start(db, tmp_path, "--workers", "2", "--threads", "4", "--graceful-timeout", "20")
    try:
        old = worker_pids(port)
        load = Load(port)
        slow: list[Any] = []
        uploader = threading.Thread(target=lambda: slow.append(load.slow_login(3.0)))
        uploader.start()
        time.sleep(1.0)  # the upload has started in an old worker
        os.kill(int(pid_file.read_text()), signal.SIGHUP)
        deadline = time.time() + 60
        while worker_pids(port, 10) & old:
            assert time.time() < deadline, "the old workers never went away"
            time.sleep(0.2)
        time.sleep(1.0)
        load.finish()
        uploader.join(timeout=60)
        new = worker_pids(port)
    finally:
        out, err = stop(proc, tmp_path)
    assert load.failures == [] and len(load.answers) > 50 and set(load.answers) == {200}
    assert slow and slow[0].status_code == 401 and slow[0].json()["error"] == "invalid_credentials"
    assert not new & old and len(new) == 2
    assert "Handling signal: hup" in err


def test_a_usr2_starts_a_new_master_beside_the_old_one_and_no_request_is_lost(db: Database, tmp_path: Path) -> None:
    proc, port, pid_file = start(db, tmp_path, "--workers", "2", "--threads", "4", "--graceful-timeout", "20")
    old_master = int(pid_file.read_text())
    new_master = None
    try:
        old = worker_pids(port)
        load = Load(port)
        os.kill(old_master, signal.SIGUSR2)
        deadline = time.time() + 90
        while True:  # the new master's workers answer beside the old ones (its pid file waits for its promotion)
            fresh = worker_pids(port, 20) - old
            if fresh:
                new_master = parent_of(fresh.pop())
                break
            assert time.time() < deadline, "no new master came up"
            time.sleep(0.3)
        assert new_master != old_master
        slow: list[Any] = []
        uploader = threading.Thread(target=lambda: slow.append(load.slow_login(2.0)))
        uploader.start()
        time.sleep(0.5)
        os.kill(old_master, signal.SIGTERM)  # the old master retires gracefully; its workers finish what they hold
        proc.wait(timeout=60)
        time.sleep(1.0)
        load.finish()
        uploader.join(timeout=60)
        remaining = worker_pids(port)
        parents = {parent_of(p) for p in remaining}
    finally:
        if new_master is not None:
            os.kill(new_master, signal.SIGTERM)
            for _ in range(300):
                try:
                    os.kill(new_master, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
        stop(proc, tmp_path)
    assert load.failures == [] and len(load.answers) > 50 and set(load.answers) == {200}
    assert slow and slow[0].status_code == 401
    assert remaining and not remaining & old and parents == {new_master}
