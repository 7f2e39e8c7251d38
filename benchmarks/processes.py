"""Web processes and the read standby on the national data set.

    HUANJIE_BENCH_PG_ADMIN=postgresql+psycopg://postgres@127.0.0.1:5433/postgres \\
    python -m benchmarks.processes [--communities 120000] [--n 1500] [--clients 8] [--dashboard-n 40]

Needs the primary/standby pair of scripts/pg_standby.sh (HUANJIE_BENCH_PG_ADMIN names the primary,
HUANJIE_BENCH_PG_STANDBY the standby, default port 5434). Works on a throwaway copy of the national data set on
the primary (CREATE DATABASE … STRATEGY FILE_COPY; the standby replays the copy).

1. Transitions over HTTP, `--clients` clients on keep-alive connections, each election fired with its leaving
   trigger by its street cadre's token: one process (`huanjie serve`, waitress, 8 threads) and two worker
   processes (`huanjie serve --workers 2`, gunicorn, 8 threads each), in the same run, on distinct elections.
   Goal: 2 processes ≥ 1.5× the rate of 1, p95 not worse.
2. The province dashboard (GET /supervise of the busiest province's supervisor, one client): on an idle
   primary; then on the standby (HUANJIE_READ_DATABASE_URL) while `--clients` clients fire transitions on the
   primary through another server; and, for comparison, on the primary under that same load.
   Goal: the standby's p95 under load not worse than the idle primary's.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
import uuid
from typing import Any, Optional

import requests
from sqlalchemy import create_engine, text

from .common import (PG_ADMIN, Server, cpu_seconds, ensure_national, load_average, national_name, pg_url,
                     save_json, stats, time_requests, ui_session)
from .pages import subjects
from .transitions_http import ready_elections, run_http, tokens_for

STANDBY_ADMIN = os.environ.get("HUANJIE_BENCH_PG_STANDBY", PG_ADMIN.rsplit(":", 1)[0] + ":5434/postgres")


def uptime() -> str:
    """The machine's `uptime` line (load averages over 1, 5 and 15 minutes)."""
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def copy_database(template: str) -> str:
    """A file-level copy of the data set on the primary (the standby replays it as a copy too)."""
    name = f"huanjie_bench_proc_{uuid.uuid4().hex[:8]}"
    engine = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n "
                          "AND pid <> pg_backend_pid()"), {"n": template})
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY'))
    engine.dispose()
    return name


def drop(name: str) -> None:
    engine = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def wait_on_standby(name: str, timeout: float = 600) -> None:
    """Wait until the standby has the copy and has replayed what the primary wrote so far."""
    primary, standby = create_engine(PG_ADMIN), create_engine(STANDBY_ADMIN)
    with primary.connect() as p:
        lsn = p.scalar(text("SELECT pg_current_wal_lsn()::text"))
    deadline = time.time() + timeout
    while time.time() < deadline:
        with standby.connect() as s:
            if s.scalar(text("SELECT pg_last_wal_replay_lsn() >= CAST(:l AS pg_lsn)"), {"l": lsn}) and \
                    s.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
                break
        time.sleep(0.5)
    else:
        raise RuntimeError("the standby did not replay the copy in time")
    primary.dispose()
    standby.dispose()


class Workers(Server):
    """`huanjie serve --workers N` (gunicorn) or, for one, `huanjie serve` (waitress)."""

    def __init__(self, url: str, workers: int, threads: int = 8, env: Optional[dict[str, str]] = None) -> None:
        super().__init__(url, threads=threads, env=env)
        self.workers = workers

    def __enter__(self) -> "Workers":
        cmd = [sys.executable, "-m", "huanjie.cli", "serve", "--host", "127.0.0.1",
               "--port", str(self.port), "--threads", str(self.threads), "--workers", str(self.workers),
               "--no-scheduler", "--no-access-log", "--pid", f"{self.instance}/master.pid"]
        from .common import ROOT
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=self.log.open("wb"),
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                if requests.get(self.base + "/healthz", timeout=5).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError("the server did not start within 120 s")

    def cpu(self) -> float:
        """CPU seconds of the server's processes (master and workers)."""
        pids = [self.pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(self.pid)], capture_output=True,
                                                              text=True).stdout.split()]
        return sum(cpu_seconds(p) for p in pids)


def transitions(url: str, workers: int, work: list[Any], tokens: dict[int, str], clients: int) -> dict[str, Any]:
    """Fire `work` over HTTP against a server of `workers` processes; rate, latency and server CPU."""
    with Workers(url, workers) as server:
        before = server.cpu()
        result = run_http([server.base], work, tokens, clients)
        result["server_cpu_ms_each"] = (server.cpu() - before) * 1000 / max(1, result["transitions"])
    return result


def dashboard(base: str, user: str, n: int) -> dict[str, float]:
    """GET /supervise n times as the province supervisor (one client)."""
    return stats(time_requests(ui_session(base, user), base + "/supervise", n))


def reads_on(base: str) -> dict[str, float]:
    """The server's read units of work by where they ran (its /metrics, from loopback)."""
    out: dict[str, float] = {}
    for line in requests.get(base + "/metrics", timeout=30).text.splitlines():
        if line.startswith("huanjie_read_units_total{"):
            target = line.split('target="', 1)[1].split('"', 1)[0]
            out[target] = out.get(target, 0) + float(line.rsplit(" ", 1)[1])
    return out


def under_load(url: str, read_url: Optional[str], user: str, n: int, work: list[Any], tokens: dict[int, str],
               clients: int) -> dict[str, Any]:
    """The dashboard (one server, standby for reads or not) while transitions run on the primary (another)."""
    # the supervisor only signs in (a write): no read-your-writes window, every read may go to the standby
    env = ({"HUANJIE_READ_DATABASE_URL": read_url, "HUANJIE_READ_MAX_LAG_SECONDS": "30",
            "HUANJIE_READ_YOUR_WRITES_SECONDS": "0"} if read_url else None)
    with Workers(url, 1, env=env) as reader, Workers(url, 2) as writer:
        session = ui_session(reader.base, user)
        for _ in range(3):
            session.get(reader.base + "/supervise", timeout=60).raise_for_status()
        result: dict[str, Any] = {}
        load = threading.Thread(target=lambda: result.update(load=run_http([writer.base], work, tokens, clients)))
        load.start()
        time.sleep(1.0)
        samples = []
        while load.is_alive() and len(samples) < n:
            start = time.perf_counter()
            r = session.get(reader.base + "/supervise", timeout=60)
            samples.append((time.perf_counter() - start) * 1000)
            r.raise_for_status()
        load.join()
        result["dashboard"] = stats(samples)
        result["reads"] = reads_on(reader.base)
    return result


def main(argv: Optional[list[str]] = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--communities", type=int, default=120_000)
    ap.add_argument("--n", type=int, default=1500, help="transitions per configuration")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--dashboard-n", type=int, default=40)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    print("uptime before:", uptime())
    national = ensure_national(args.communities)
    started = time.perf_counter()
    # a data set generated before the newest migrations is brought to head once (servers would each try)
    from workflow.db import Database
    from workflow.schema import upgrade
    base = Database(national)
    upgrade(base.engine)
    base.dispose()
    print(f"data set at the schema's head: {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    name = copy_database(national_name(args.communities))
    url = pg_url(name)
    try:
        wait_on_standby(name)
        print(f"copy of the data set on the primary and replayed on the standby: {time.perf_counter() - started:.0f} s")
        read_url = STANDBY_ADMIN.rsplit("/", 1)[0] + f"/{name}"
        work = ready_elections(url, 4 * args.n)
        if len(work) < 4 * args.n:
            raise RuntimeError(f"only {len(work)} ready elections for 4 × {args.n}")
        tokens = tokens_for(url, {w[4] for w in work})
        chunks = [work[i * args.n:(i + 1) * args.n] for i in range(4)]
        figures: dict[str, Any] = {"load_before": load_average()}
        print(f"\ntransitions over HTTP, {args.clients} clients, {args.n} each (load {load_average()})")
        for workers, chunk in ((1, chunks[0]), (2, chunks[1])):
            r = transitions(url, workers, chunk, tokens, args.clients)
            figures[f"transitions_{workers}"] = r
            s = r["latency"]
            print(f"  {workers} process{'es' if workers > 1 else ''} ({'gunicorn' if workers > 1 else 'waitress'}): "
                  f"{r['per_second']:.0f}/s, p50 {s['p50']:.1f} ms, p95 {s['p95']:.1f} ms, "
                  f"server CPU {r['server_cpu_ms_each']:.1f} ms each, statuses {r['statuses']}")
        one, two = figures["transitions_1"], figures["transitions_2"]
        ratio = two["per_second"] / one["per_second"]
        print(f"  2 vs 1: {ratio:.2f}× the rate (goal ≥ 1.5×: {'met' if ratio >= 1.5 else 'MISSED'}), p95 "
              f"{two['latency']['p95']:.1f} vs {one['latency']['p95']:.1f} ms "
              f"({'not worse' if two['latency']['p95'] <= one['latency']['p95'] else 'WORSE'})")

        province = subjects(url)["province"][0]
        user = f"prov{province}"
        print(f"\nprovince dashboard of {province} (GET /supervise, one client; load {load_average()})")
        with Workers(url, 1) as server:
            idle = dashboard(server.base, user, args.dashboard_n)
        print(f"  primary, idle:                      p50 {idle['p50']:.1f} ms, p95 {idle['p95']:.1f} ms (n={idle['n']})")
        on_standby = under_load(url, read_url, user, args.dashboard_n, chunks[2], tokens, args.clients)
        s, ld = on_standby["dashboard"], on_standby["load"]
        print(f"  standby, transitions on the primary: p50 {s['p50']:.1f} ms, p95 {s['p95']:.1f} ms (n={s['n']}; "
              f"load {ld['per_second']:.0f} transitions/s; reads {on_standby['reads']})")
        on_primary = under_load(url, None, user, args.dashboard_n, chunks[3], tokens, args.clients)
        p, lp = on_primary["dashboard"], on_primary["load"]
        print(f"  primary, transitions on the primary: p50 {p['p50']:.1f} ms, p95 {p['p95']:.1f} ms (n={p['n']}; "
              f"load {lp['per_second']:.0f} transitions/s)")
        print(f"  goal: standby p95 under load ≤ idle primary p95: "
              f"{'met' if s['p95'] <= idle['p95'] else 'MISSED'} ({s['p95']:.1f} vs {idle['p95']:.1f} ms)")
        figures.update(dashboard_idle=idle, dashboard_standby=on_standby, dashboard_primary_loaded=on_primary,
                       load_after=load_average())
        save_json(args.json, figures)
    finally:
        drop(name)
    print("\nuptime after:", uptime())


if __name__ == "__main__":
    main()
