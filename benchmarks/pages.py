"""Page latencies at national scale through `huanjie serve` (waitress) on PostgreSQL.

    python -m benchmarks.pages [--communities 120000] [--n 200]

Generates the national data set first if it is missing (kept as huanjie_national_<N> for the next run).
Measures, one client after another (p50/p95 of --n requests after a warm-up): the worklist of the busiest
street's cadre, GET /api/v1/communities for the busiest county's supervisor, the supervision dashboard at
province, city and county level (each level's own supervisor on the largest region of that level), the
election page, and the API lists. Baselines in the same run: GET /api/v1/ping-db (one SELECT through the
whole stack) and the dashboard's own GROUP BY as raw SQL.
Goals (2 cores): worklist p95 < 100 ms, province dashboard p95 < 300 ms.
"""
from __future__ import annotations

import argparse
import time
from typing import Any, Optional

import requests
from sqlalchemy import create_engine, text

from .common import (Server, api_session, cpu_seconds, ensure_national, line, load_average, save_json, stats,
                     time_requests, ui_session)

GOALS = {"worklist": 100.0, "dashboard_province": 300.0}


def subjects(url: str) -> dict[str, Any]:
    """Pick the heaviest users of each kind: the street, county, city and province with the most communities."""
    engine = create_engine(url)
    with engine.connect() as conn:
        def top(column: str, level: str) -> tuple[str, int]:
            row = conn.execute(text(f"SELECT r.code, count(*) FROM communities c JOIN regions r ON r.id = c.{column} "
                                    f"WHERE r.level = '{level}' GROUP BY r.code ORDER BY 2 DESC, 1 LIMIT 1")).one()
            return str(row[0]), int(row[1])
        out = {"street": top("street_id", "street"), "county": top("county_id", "county"),
               "city": top("city_id", "city"), "province": top("province_id", "province")}
        out["election"] = conn.execute(text(
            "SELECT e.id FROM elections e JOIN communities c ON c.id = e.community_id JOIN regions r ON "
            "r.id = c.street_id WHERE r.code = :s AND e.body = 'residents' ORDER BY (SELECT count(*) FROM "
            "candidates k WHERE k.election_id = e.id) DESC, e.id LIMIT 1"), {"s": out["street"][0]}).scalar()
        out["campaign"] = conn.execute(text(
            "SELECT k.code FROM campaigns k JOIN regions r ON r.id = k.scope_id WHERE r.code = :p"),
            {"p": out["province"][0]}).scalar()
    engine.dispose()
    return out


def raw_sql_baseline(url: str, province: str, n: int) -> dict[str, float]:
    """The province dashboard's GROUP BY (elections per city and state) as raw SQL, latencies in ms."""
    engine = create_engine(url, connect_args={"options": "-c jit=off"})
    sql = text("SELECT c.city_id, e.state, count(*) FROM elections e JOIN communities c ON c.id = e.community_id "
               "WHERE c.province_id = (SELECT id FROM regions WHERE code = :p) GROUP BY 1, 2")
    samples = []
    with engine.connect() as conn:
        for i in range(n + 3):
            start = time.perf_counter()
            conn.execute(sql, {"p": province}).all()
            if i >= 3:
                samples.append((time.perf_counter() - start) * 1000)
    engine.dispose()
    return stats(samples)


def measure(base: str, pid: int, subj: dict[str, Any], n: int) -> dict[str, Any]:
    """Time every page; return {name: stats}."""
    street, county, city, province = (subj[k][0] for k in ("street", "county", "city", "province"))
    cadre = ui_session(base, f"cadre{street}")
    sup = {level: ui_session(base, f"{prefix}{code}") for level, prefix, code in
           (("province", "prov", province), ("city", "city", city), ("county", "county", county))}
    api_county = api_session(base, f"county{county}")
    api_cadre = api_session(base, f"cadre{street}")
    api_province = api_session(base, f"prov{province}")
    plain = requests.Session()
    pages: list[tuple[str, requests.Session, str, Optional[str]]] = [
        ("baseline: GET /api/v1/ping-db (one SELECT)", plain, "/api/v1/ping-db", None),
        ("worklist (street cadre, UI home)", cadre, "/", "worklist"),
        ("GET /api/v1/communities (county supervisor)", api_county, "/api/v1/communities", "worklist"),
        ("GET /api/v1/communities?region=<street> (cadre)", api_cadre, f"/api/v1/communities?region={street}", None),
        ("dashboard, province (province supervisor)", sup["province"], "/supervise", "dashboard_province"),
        ("dashboard, city (city supervisor)", sup["city"], "/supervise", None),
        ("dashboard, county (county supervisor)", sup["county"], "/supervise", None),
        ("election page (cadre)", cadre, f"/elections/{subj['election']}", None),
        ("GET /api/v1/elections/<id> (cadre)", api_cadre, f"/api/v1/elections/{subj['election']}", None),
        ("GET /api/v1/communities?overdue=true (province)", api_province, "/api/v1/communities?overdue=true", None),
        ("GET /api/v1/campaigns/<code>/progress (province)", api_province,
         f"/api/v1/campaigns/{subj['campaign']}/progress", None),
        ("GET /api/v1/escalations?open=true (county)", api_county, "/api/v1/escalations?open=true", None),
    ]
    out: dict[str, Any] = {}
    for label, session, path, goal_key in pages:
        cpu = cpu_seconds(pid)
        try:
            s = stats(time_requests(session, base + path, n))
        except RuntimeError as exc:
            print(f"{label:<52} skipped: {exc}")
            continue
        s["server_cpu_ms"] = (cpu_seconds(pid) - cpu) * 1000 / (n + 3)
        print(line(label, s, GOALS.get(goal_key or "")) + f"  server CPU {s['server_cpu_ms']:.1f} ms/request")
        out[label] = s
    return out


def main(argv: Optional[list[str]] = None) -> None:
    """Command line: time the pages on the national data set."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--communities", type=int, default=120_000)
    ap.add_argument("--url", help="use this (already generated) database instead")
    ap.add_argument("--n", type=int, default=200, help="requests per page")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    url = args.url or ensure_national(args.communities)
    subj = subjects(url)
    print("subjects: " + ", ".join(f"{k} {v[0]} ({v[1]} communities)" for k, v in subj.items()
                                   if isinstance(v, tuple)) + f", election {subj['election']}")
    print(f"machine load before: {load_average()}")
    with Server(url) as server:
        figures = measure(server.base, server.pid, subj, args.n)
    raw = raw_sql_baseline(url, subj["province"][0], args.n)
    print(line("baseline: raw SQL GROUP BY of the province dashboard", raw))
    print(f"machine load after: {load_average()}")
    figures["raw_sql_province_group_by"] = raw
    save_json(args.json, figures)


if __name__ == "__main__":
    main()
