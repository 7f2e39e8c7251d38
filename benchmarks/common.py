"""Shared benchmark helpers: throwaway PostgreSQL databases, the national data set, a server on a free port,
latency percentiles and the peak memory of a child process."""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_ADMIN = os.environ.get("HUANJIE_BENCH_PG_ADMIN", os.environ.get("HUANJIE_TEST_PG_ADMIN", PG_DEFAULT))
BENCH_PASSWORD = "huanjie-bench"
MARK = "huanjie national data set"


def pg_url(name: str) -> str:
    """Return the SQLAlchemy URL of database name on the benchmark server."""
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def _admin() -> Any:
    return create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")


def database_exists(name: str) -> bool:
    """Return whether a database of that name exists."""
    engine = _admin()
    try:
        with engine.connect() as conn:
            return conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}) is not None
    finally:
        engine.dispose()


def create_database(name: str, template: Optional[str] = None) -> str:
    """Create a database (a file-level copy of template when given) and return its URL."""
    engine = _admin()
    try:
        with engine.connect() as conn:
            if template:
                # a template must have no other sessions while it is copied
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n "
                                  "AND pid <> pg_backend_pid()"), {"n": template})
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
            else:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return pg_url(name)


def drop_database(name: str) -> None:
    """Drop a database, closing its sessions."""
    engine = _admin()
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


@contextlib.contextmanager
def throwaway_database(template: Optional[str] = None, prefix: str = "huanjie_bench") -> Iterator[str]:
    """Yield the URL of a new database (a copy of template, or empty), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    url = create_database(name, template)
    try:
        yield url
    finally:
        drop_database(name)


def national_name(communities: int) -> str:
    """Return the database name that holds the national data set of that size."""
    return f"huanjie_national_{communities}"


def national_ready(name: str) -> Optional[str]:
    """Return the completion mark of a generated national database, or None if it is missing or unfinished."""
    if not database_exists(name):
        return None
    engine = _admin()
    try:
        with engine.connect() as conn:
            mark = conn.scalar(text("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :n"),
                               {"n": name})
    finally:
        engine.dispose()
    return mark if mark and mark.startswith(MARK) else None


def ensure_national(communities: int, rebuild: bool = False, echo: Callable[[str], Any] = print) -> str:
    """Return the URL of the national data set of that size, generating it first if needed (kept for reuse)."""
    name = national_name(communities)
    mark = national_ready(name)
    if mark and not rebuild:
        echo(f"using {name} ({mark})")
        return pg_url(name)
    from .national import generate
    drop_database(name)
    url = create_database(name)
    generate(url, communities, echo=echo)
    mark_database(name, communities)
    return url


def mark_database(name: str, communities: int) -> None:
    """Mark a database as a complete national data set (a database comment)."""
    engine = _admin()
    try:
        with engine.connect() as conn:
            conn.execute(text(f"COMMENT ON DATABASE \"{name}\" IS '{MARK}: {communities} communities, "
                              f"generated {dt.date.today().isoformat()}'"))
    finally:
        engine.dispose()


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`huanjie serve` in a child process on a free port, over the given database."""

    def __init__(self, url: str, threads: int = 8, scheduler: bool = False,
                 env: Optional[dict[str, str]] = None) -> None:
        self.url, self.threads, self.scheduler = url, threads, scheduler
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.instance = tempfile.mkdtemp(prefix="huanjie-bench-")
        self.env = {**os.environ, "HUANJIE_DATABASE_URL": url, "HUANJIE_INSTANCE": self.instance,
                    "HUANJIE_SECRET_KEY": "bench-" + uuid.uuid4().hex, "HUANJIE_INSECURE_COOKIES": "1",
                    "PYTHONPATH": str(ROOT), **(env or {})}
        self.proc: Optional[subprocess.Popen[bytes]] = None
        self.log = Path(self.instance) / "server.log"

    def __enter__(self) -> "Server":
        cmd = [sys.executable, "-m", "huanjie.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
               "--threads", str(self.threads)]
        if not self.scheduler:
            cmd.append("--no-scheduler")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=self.log.open("wb"),
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                requests.get(self.base + "/login", timeout=2)
                return self
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError("the server did not start within 60 s")

    def __exit__(self, *exc: Any) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid


def proc_status_kb(pid: int, field: str) -> int:
    """Return a /proc/<pid>/status memory field in KiB (VmRSS now, VmHWM the peak so far)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user + system) a process has used so far, in seconds."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def token(base: str, username: str, password: str = BENCH_PASSWORD) -> str:
    """Return an API bearer token."""
    r = requests.post(base + "/api/v1/auth/token", json={"username": username, "password": password}, timeout=30)
    r.raise_for_status()
    return str(r.json()["token"])


def api_session(base: str, username: str, password: str = BENCH_PASSWORD) -> requests.Session:
    """Return a keep-alive session that sends a bearer token."""
    s = requests.Session()
    s.headers["Authorization"] = "Bearer " + token(base, username, password)
    return s


def ui_session(base: str, username: str, password: str = BENCH_PASSWORD) -> requests.Session:
    """Return a keep-alive session signed in through the login form (CSRF token included)."""
    import re
    s = requests.Session()
    page = s.get(base + "/login", timeout=30).text
    m = (re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
         or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page))
    data = {"username": username, "password": password}
    if m:
        data["csrf_token"] = m.group(1)
    r = s.post(base + "/login", data=data, timeout=30, allow_redirects=False)
    if r.status_code not in (302, 303):
        raise RuntimeError(f"login of {username} failed: HTTP {r.status_code}")
    return s


def time_requests(session: requests.Session, url: str, n: int, warmup: int = 3) -> list[float]:
    """GET url n times after warmup calls; return the latencies in ms (every answer must be 200)."""
    for _ in range(warmup):
        session.get(url, timeout=60).raise_for_status()
    out = []
    for _ in range(n):
        start = time.perf_counter()
        r = session.get(url, timeout=60)
        out.append((time.perf_counter() - start) * 1000)
        if r.status_code != 200:
            raise RuntimeError(f"GET {url}: HTTP {r.status_code}")
    return out


def stats(samples: list[float]) -> dict[str, float]:
    """Return n, p50, p95, p99 and max of latencies in ms."""
    ordered = sorted(samples)

    def pct(q: float) -> float:
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered) + 0.5)) - 1))]
    return {"n": len(ordered), "p50": statistics.median(ordered) if ordered else float("nan"),
            "p95": pct(0.95), "p99": pct(0.99), "max": ordered[-1] if ordered else float("nan")}


def line(label: str, s: dict[str, float], goal: Optional[float] = None, key: str = "p95") -> str:
    """Format one row of latency figures, with the goal verdict when one is given."""
    verdict = ""
    if goal is not None:
        verdict = f"  goal {key} < {goal:.0f} ms: {'met' if s[key] < goal else 'MISSED'}"
    return (f"{label:<52} n={s['n']:<4} p50={s['p50']:7.1f} ms  p95={s['p95']:7.1f} ms  "
            f"max={s['max']:7.1f} ms{verdict}")


def load_average() -> str:
    """Return the 1-minute load average (other work on the machine skews the figures)."""
    return f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"


def save_json(path: Optional[str], data: dict[str, Any]) -> None:
    """Write the figures as JSON when a path is given."""
    if path:
        Path(path).write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
