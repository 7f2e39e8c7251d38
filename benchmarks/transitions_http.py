"""Firing transitions over HTTP with 8 concurrent clients, next to a raw-SQL baseline doing the same writes.

    python -m benchmarks.transitions_http [--communities 120000] [--clients 8] [--n 2000]

On a throwaway copy of the national data set. The elections fired are ones whose current state's records
are all present (the generator leaves a third of them so), each fired with its leaving trigger by its own
street cadre's token (POST /api/v1/elections/<id>/transitions), every client on its own keep-alive
connection to `huanjie serve` (waitress, 8 threads). The baseline: the same number of other ready elections,
8 threads on raw psycopg connections, each transaction SELECT … FOR UPDATE, UPDATE elections (state, version,
due date), INSERT the audit row, COMMIT — the writes of a transition without the engine, guards or HTTP.
Goal (2 cores): ≥ 200 transitions/s with 8 clients.
"""
from __future__ import annotations

import argparse
import contextlib
import queue
import resource
import threading
import time
from typing import Any, Optional

import psycopg
import requests
from sqlalchemy import select, text

from workflow.db import Database
from workflow.machines.base import LEAVING

from .common import (Server, cpu_seconds, ensure_national, load_average, national_name, save_json, stats,
                     throwaway_database)
from .national_sql import fact_plan

GOAL_TPS = 200.0


def ready_elections(url: str, limit: int) -> list[tuple[int, int, str, str, int]]:
    """Return (id, version, trigger, body, cadre user id) of elections whose current state's facts are all recorded.

    Left out: accept_summary (a city supervisor's), and residents in candidate_meeting, which may wait for the
    party election (party first).
    """
    rows = [(body, key, rank) for body, key, rank, _o, _k, _r in fact_plan()]
    from workflow.machines import MAIN_PATH
    values = ", ".join(f"('{b}', '{MAIN_PATH[r]}', '{k}')" for b, k, r in rows)
    sql = f"""
      WITH need(body, state, key) AS (VALUES {values}),
      cand AS (
        SELECT e.id, e.version, e.state, e.body, c.street_id, c.key_difficult FROM elections e
        JOIN communities c ON c.id = e.community_id
        WHERE e.state IN ('preparation', 'nomination', 'candidate_meeting', 'voting', 'certification', 'handover')
          AND NOT (e.body = 'residents' AND e.state = 'candidate_meeting'))
      SELECT cand.id, cand.version, cand.state, cand.body, u.id FROM cand
      JOIN users u ON u.scope_id = cand.street_id AND u.role = 'cadre'
      WHERE NOT EXISTS (SELECT 1 FROM need n WHERE n.body = cand.body AND n.state = cand.state
                          AND (n.key <> 'contingency_plan_filed' OR cand.key_difficult)
                          AND NOT EXISTS (SELECT 1 FROM facts f WHERE f.election_id = cand.id AND f.key = n.key))
      ORDER BY md5(cand.id::text) LIMIT {int(limit)}"""
    engine = Database(url).engine
    with engine.connect() as conn:
        out = [(int(i), int(v), LEAVING[st], b, int(u)) for i, v, st, b, u in conn.execute(text(sql))]
    engine.dispose()
    return out


def tokens_for(url: str, user_ids: set[int]) -> dict[int, str]:
    """Create an API token per user straight through the service (argon2 per login would dominate)."""
    from workflow.models import User
    from workflow.services.tokens import create_token
    db = Database(url)
    out = {}
    with db.uow() as uow:
        for user in uow.session.scalars(select(User).where(User.id.in_(user_ids))):
            out[user.id] = create_token(uow, user)[0]
    db.dispose()
    return out


def run_http(bases: list[str], work: list[tuple[int, int, str, str, int]], tokens: dict[int, str],
             clients: int) -> dict[str, Any]:
    """Fire every transition of work from `clients` threads; return throughput, latency and statuses."""
    jobs: "queue.Queue[tuple[int, int, str, str, int]]" = queue.Queue()
    for item in work:
        jobs.put(item)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def client(base: str) -> None:
        session = requests.Session()
        while True:
            try:
                eid, version, trigger, _body, uid = jobs.get_nowait()
            except queue.Empty:
                return
            start = time.perf_counter()
            r = session.post(f"{base}/api/v1/elections/{eid}/transitions",
                             json={"trigger": trigger, "version": version},
                             headers={"Authorization": f"Bearer {tokens[uid]}"}, timeout=60)
            ms = (time.perf_counter() - start) * 1000
            with lock:
                latencies.append(ms)
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
    threads = [threading.Thread(target=client, args=(bases[i % len(bases)],)) for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    ok = statuses.get(200, 0)
    return {"transitions": ok, "seconds": wall, "per_second": ok / wall, "latency": stats(latencies),
            "statuses": statuses}


RAW_SQL = [
    "SELECT id, version, state FROM elections WHERE id = %(id)s FOR UPDATE",
    "UPDATE elections SET state = %(state)s, version = version + 1, due_on = due_on + 1, "
    "state_entered_at = now(), updated_at = now() WHERE id = %(id)s AND version = %(version)s",
    "INSERT INTO audit_events (at, actor_id, actor, election_id, community_id, action, from_state, to_state, "
    "trigger, data) SELECT now(), %(uid)s, 'bench', id, community_id, 'transition', %(state)s, %(state)s, "
    "%(trigger)s, '{}' FROM elections WHERE id = %(id)s",
]


def run_raw(url: str, work: list[tuple[int, int, str, str, int]], clients: int) -> dict[str, Any]:
    """The same writes in raw SQL from `clients` threads, one transaction each."""
    jobs: "queue.Queue[tuple[int, int, str, str, int]]" = queue.Queue()
    for item in work:
        jobs.put(item)
    latencies: list[float] = []
    lock = threading.Lock()
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")

    def client() -> None:
        with psycopg.connect(conninfo) as conn:
            while True:
                try:
                    eid, version, trigger, _body, uid = jobs.get_nowait()
                except queue.Empty:
                    return
                start = time.perf_counter()
                with conn.transaction():
                    state = conn.execute(RAW_SQL[0], {"id": eid}).fetchone()[2]
                    args = {"id": eid, "version": version, "state": state, "uid": uid, "trigger": trigger}
                    conn.execute(RAW_SQL[1], args)
                    conn.execute(RAW_SQL[2], args)
                with lock:
                    latencies.append((time.perf_counter() - start) * 1000)
    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    return {"transitions": len(latencies), "seconds": wall, "per_second": len(latencies) / wall,
            "latency": stats(latencies)}


def backend_pids(url: str) -> list[int]:
    """Return the PostgreSQL backend processes connected to the database of url."""
    engine = Database(url).engine
    with engine.connect() as conn:
        pids = [int(p) for p in conn.scalars(text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"))]
    engine.dispose()
    return pids


def _cpu_of(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            total += cpu_seconds(pid)
        except OSError:  # a backend that ended meanwhile
            pass
    return total


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(url: str, clients: int, n: int, threads: int, servers: int = 1) -> dict[str, Any]:
    """Run the HTTP benchmark (on `servers` worker processes) and the raw-SQL baseline on the database at url."""
    ready = ready_elections(url, 2 * n + 200)
    if len(ready) < 2 * n + 200:
        raise SystemExit(f"only {len(ready)} ready elections; lower --n")
    warm, http_work, raw_work = ready[:200], ready[200:200 + n], ready[200 + n:]
    tokens = tokens_for(url, {w[4] for w in warm + http_work})
    out: dict[str, Any] = {"load_before": load_average(), "servers": servers}
    with contextlib.ExitStack() as stack:
        procs = [stack.enter_context(Server(url, threads=threads)) for _ in range(servers)]
        bases = [p.base for p in procs]
        run_http(bases, warm, tokens, clients)  # connections, caches and the first compilations
        backends = backend_pids(url)
        cpu, db_cpu, own = sum(cpu_seconds(p.pid) for p in procs), _cpu_of(backends), _own_cpu()
        out["http"] = run_http(bases, http_work, tokens, clients)
        # the CPU each side spent per transition: what decides the figures on an idle machine
        done = max(out["http"]["transitions"], 1)
        out["http"]["server_cpu_ms"] = (sum(cpu_seconds(p.pid) for p in procs) - cpu) * 1000 / done
        out["http"]["postgres_cpu_ms"] = (_cpu_of(backends) - db_cpu) * 1000 / done
        out["http"]["client_cpu_ms"] = (_own_cpu() - own) * 1000 / done
    out["raw_sql"] = run_raw(url, raw_work, clients)
    out["load_after"] = load_average()
    return out


def report(figures: dict[str, Any], clients: int) -> None:
    """Print the figures."""
    h, r = figures["http"], figures["raw_sql"]
    verdict = "met" if h["per_second"] >= GOAL_TPS else "MISSED"
    where = f"{figures['servers']} worker processes, " if figures.get("servers", 1) > 1 else ""
    print(f"HTTP, {where}{clients} clients: {h['transitions']} transitions in {h['seconds']:.1f} s = "
          f"{h['per_second']:.0f}/s, "
          f"p50 {h['latency']['p50']:.1f} ms, p95 {h['latency']['p95']:.1f} ms, statuses {h['statuses']}  "
          f"goal ≥ {GOAL_TPS:.0f}/s: {verdict}")
    total = h["server_cpu_ms"] + h["postgres_cpu_ms"] + h["client_cpu_ms"]
    print(f"CPU per transition: server {h['server_cpu_ms']:.1f} ms, PostgreSQL {h['postgres_cpu_ms']:.1f} ms, "
          f"these 8 clients {h['client_cpu_ms']:.1f} ms. On this machine alone: at most "
          f"{1000 / h['server_cpu_ms']:.0f}/s per worker process (one core of Python each), "
          f"{2000 / total:.0f}/s for the 2 cores")
    print(f"baseline raw SQL, {clients} threads: {r['transitions']} in {r['seconds']:.1f} s = {r['per_second']:.0f}/s, "
          f"p50 {r['latency']['p50']:.1f} ms, p95 {r['latency']['p95']:.1f} ms")
    print(f"machine load before {figures['load_before']}, after {figures['load_after']}")


def main(argv: Optional[list[str]] = None) -> None:
    """Command line: fire transitions over HTTP on a throwaway copy of the national data set."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--communities", type=int, default=120_000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--threads", type=int, default=8, help="waitress threads of the server")
    ap.add_argument("--servers", type=int, default=1, help="`huanjie serve` processes, clients spread over them")
    ap.add_argument("--n", type=int, default=2000, help="transitions to fire (and as many for the baseline)")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    ensure_national(args.communities)
    with throwaway_database(template=national_name(args.communities)) as url:
        figures = measure(url, args.clients, args.n, args.threads, args.servers)
    report(figures, args.clients)
    save_json(args.json, figures)


if __name__ == "__main__":
    main()
