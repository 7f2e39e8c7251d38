"""API latency under 8 concurrent clients against `huanjie serve --no-scheduler` on a throwaway PostgreSQL database.

Measures p50/p95 of GET /api/v1/elections/<id> and POST /api/v1/elections/<id>/transitions (suspend/resume:
a full transition with snapshot, guards, version bump and audit row) next to GET /api/v1/ping-db, a bare
endpoint of the same server doing one SELECT, and prints the ratios. Goal: transition p95 < 50 ms.

    python -m benchmarks.api [--clients 8] [--requests 60] [--communities 100] [--json out.json]
"""
from __future__ import annotations

import argparse
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import requests

from .common import BENCH_PASSWORD, Server, line, load_average, save_json, stats, throwaway_database, token

DUE = {"preparation": "2099-12-31", "nomination": "2100-01-20", "candidate_meeting": "2100-02-10",
       "voting": "2100-03-10", "certification": "2100-03-20", "handover": "2100-03-31", "summary": "2100-04-05"}


def seed(url: str, communities: int) -> list[int]:
    """Create one province → city → county → street, the communities, an admin and a launched campaign."""
    from sqlalchemy import select

    from workflow.auth import SYSTEM
    from workflow.db import Database
    from workflow.models import Election
    from workflow.schema import upgrade
    from workflow.services.campaigns import create_campaign, launch_campaign
    from workflow.services.structure import create_community, create_region, create_user

    db = Database(url)
    upgrade(db.engine)
    with db.uow() as w:
        for code, name, level, parent in (("210000", "辽宁省", "province", None), ("210100", "沈阳市", "city", "210000"),
                                          ("210102", "和平区", "county", "210100"),
                                          ("210102001", "太原街街道", "street", "210102")):
            create_region(w, SYSTEM, code, name, level, parent)
        for i in range(communities):
            create_community(w, SYSTEM, {"code": f"210102001{i:03d}", "name": f"测试社区{i}", "street": "210102001",
                                         "party_org_type": "general_branch", "party_members": 80})
        create_user(w, SYSTEM, "benchadmin", BENCH_PASSWORD, "admin")
        create_campaign(w, SYSTEM, "BENCH", "基准测试换届", "liaoning-2014", "210000", "party_first", DUE)
        launch_campaign(w, SYSTEM, "BENCH")
    with db.uow(write=False) as w:
        ids = list(w.session.scalars(select(Election.id).order_by(Election.id)))
    db.dispose()
    return ids


def concurrently(clients: int, work: Callable[[int, requests.Session], list[float]], bearer: str) -> list[float]:
    """Run work(client number, session) in parallel clients that start together; return all latencies."""
    barrier = threading.Barrier(clients)

    def run(i: int) -> list[float]:
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {bearer}"
            session.get(session_base + "/api/v1/ping-db", timeout=30).raise_for_status()  # open the connection
            barrier.wait(timeout=60)
            return work(i, session)

    with ThreadPoolExecutor(clients) as pool:
        return [ms for part in pool.map(run, range(clients)) for ms in part]


session_base = ""


def timed(session: requests.Session, method: str, path: str, body: Any = None) -> tuple[float, requests.Response]:
    start = time.perf_counter()
    r = session.request(method, session_base + path, json=body, timeout=60)
    return (time.perf_counter() - start) * 1000, r


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user + system) a process has used so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    """Seed, serve, measure, print, drop."""
    global session_base
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=60, help="requests per client per endpoint")
    parser.add_argument("--communities", type=int, default=100)
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    args = parser.parse_args()
    with throwaway_database(prefix="huanjie_bench_api") as url:
        elections = seed(url, args.communities)
        with Server(url, threads=8) as server:
            session_base = server.base
            bearer = token(server.base, "benchadmin")
            n, k = args.requests, args.clients
            mine = [elections[i::k] for i in range(k)]

            def ping(i: int, s: requests.Session) -> list[float]:
                out = []
                for _ in range(n):
                    ms, r = timed(s, "GET", "/api/v1/ping-db")
                    assert r.status_code == 200, r.text
                    out.append(ms)
                return out

            def read(i: int, s: requests.Session) -> list[float]:
                out = []
                for j in range(n):
                    ms, r = timed(s, "GET", f"/api/v1/elections/{mine[i][j % len(mine[i])]}")
                    assert r.status_code == 200, r.text
                    out.append(ms)
                return out

            def transitions(i: int, s: requests.Session) -> list[float]:
                versions = {e: 1 for e in mine[i]}
                out = []
                for j in range(n):
                    e = mine[i][(j // 2) % len(mine[i])]
                    body = {"trigger": "suspend", "version": versions[e], "note": "基准测试"} if j % 2 == 0 else \
                        {"trigger": "resume", "version": versions[e]}
                    ms, r = timed(s, "POST", f"/api/v1/elections/{e}/transitions", body)
                    assert r.status_code == 200, r.text
                    versions[e] = r.json()["version"]
                    out.append(ms)
                return out

            concurrently(k, ping, bearer)  # warm up the server's pool and caches
            figures = {"clients": k, "communities": args.communities, "load": load_average()}
            results = {}
            cpu: dict[str, float] = {}
            for label, work in (("GET /api/v1/ping-db (one SELECT)", ping),
                                ("GET /api/v1/elections/<id>", read),
                                ("POST /api/v1/elections/<id>/transitions", transitions)):
                before = cpu_seconds(server.pid)
                results[label] = stats(concurrently(k, work, bearer))
                cpu[label] = (cpu_seconds(server.pid) - before) * 1000 / (n * k)
            print(f"API latency, {k} concurrent clients, `huanjie serve --no-scheduler` (8 threads) on PostgreSQL; "
                  f"load {figures['load']} before the run, {load_average()} after")
            base = results["GET /api/v1/ping-db (one SELECT)"]
            for label, s in results.items():
                goal = 50.0 if "transitions" in label else None
                print(line(label, s, goal) + f"  ×{s['p50'] / base['p50']:.1f} p50, ×{s['p95'] / base['p95']:.1f} "
                      f"p95 of ping-db; server CPU {cpu[label]:.1f} ms/request")
            figures["server_cpu_ms_per_request"] = cpu
            figures["results"] = results
            save_json(args.json, figures)


if __name__ == "__main__":
    main()
