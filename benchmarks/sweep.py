"""The overdue sweep at scale on PostgreSQL: seconds and the scheduler's peak memory (goal: < 5 s, flat memory).

    python -m benchmarks.sweep                          # 100,000 communities, and 10,000 to compare memory
    python -m benchmarks.sweep --communities 100000 --small 0
    python -m benchmarks.sweep --national               # on a copy of the national data set instead
    python -m benchmarks.sweep --url URL                # sweep that database in place

A throwaway database is filled with INSERT … SELECT generate_series: one province, 14 cities, 100 counties,
communities/20 streets, the communities (each with a party and a residents' election: 200,000 elections for
100,000 communities), a tenth of the elections overdue by 1 to 30 days (so every level of the ladder is met),
a street cadre per five communities and the 三包三保 contacts and first/direct persons of every region.

Each sweep runs in a child process, as the scheduler would, and reports its wall time and the child's peak
resident memory during the sweep (VmHWM, reset just before it) next to what it held before. Three sweeps: cold
(every rung at once, the first sweep after go-live), the same instant again (the usual run: nothing new) and
the next day. The baseline is the bare SQL select of the overdue elections (all rows fetched) in the same run.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from typing import Any, Optional

from sqlalchemy import text

from .common import ROOT, load_average, save_json, throwaway_database

GOAL_S = 5.0
AT = "2015-01-20T12:00:00+08:00"
DAY = "2015-01-20"

FILL = [
    "INSERT INTO regions (id, code, name, level, parent_id, province_id) VALUES (1, '210000', '辽宁省', 'province', NULL, 1)",
    "INSERT INTO regions (id, code, name, level, parent_id, province_id, city_id) "
    "SELECT 1 + c, (2100 + c)::text || '00', '市' || c, 'city', 1, 1, 1 + c FROM generate_series(1, :cities) c",
    "INSERT INTO regions (id, code, name, level, parent_id, province_id, city_id, county_id) "
    "SELECT 1000 + k, 'K' || lpad(k::text, 5, '0'), '县' || k, 'county', 2 + (k - 1) % :cities, 1, "
    "2 + (k - 1) % :cities, 1000 + k FROM generate_series(1, :counties) k",
    "INSERT INTO regions (id, code, name, level, parent_id, province_id, city_id, county_id) "
    "SELECT 100000 + s, 'S' || lpad(s::text, 7, '0'), '街道' || s, 'street', k.id, 1, k.city_id, k.id "
    "FROM generate_series(1, :streets) s JOIN regions k ON k.id = 1001 + (s - 1) % :counties",
    "INSERT INTO communities (id, code, name, street_id, county_id, city_id, province_id, households, voters, "
    "party_org_type, party_members, urban_rural_fringe, village_converted, collective_reform_done, migrant_dense, "
    "new_residential, key_difficult) "
    "SELECT g, 'C' || lpad(g::text, 8, '0'), '社区' || g, st.id, st.county_id, st.city_id, 1, 1000, 2000, 'branch', 30, "
    "false, false, false, false, false, false FROM generate_series(1, :communities) g "
    "JOIN regions st ON st.id = 100001 + (g - 1) % :streets",
    "INSERT INTO campaigns (id, code, name, rule_set, scope_id, order_default, due, report_due, created_at, launched_at) "
    "VALUES (1, 'BENCH', '基准换届', 'liaoning-2014', 1, 'party_first', "
    "'{\"preparation\": \"2014-12-31\", \"summary\": \"2015-04-05\"}', DATE '2015-04-10', now(), now())",
    # a tenth overdue (1 to 30 days, in every active state); the rest due later, some closed
    "INSERT INTO elections (campaign_id, community_id, body, state, version, due_on, due_shift_days, village_law, "
    "seats, state_entered_at, updated_at) "
    "SELECT 1, g, b.body, CASE WHEN g % 10 = 0 THEN (ARRAY['preparation','nomination','candidate_meeting','voting',"
    "'certification','handover','summary'])[1 + g / 10 % 7] ELSE (ARRAY['preparation','nomination','voting',"
    "'summary','closed'])[1 + g % 5] END, 1, "
    "CASE WHEN g % 10 = 0 THEN DATE '2015-01-20' - (1 + g / 10 % 30) WHEN g % 5 = 4 THEN NULL "
    "ELSE DATE '2015-03-31' END, 0, false, '{}', now(), now() "
    "FROM generate_series(1, :communities) g CROSS JOIN (VALUES ('party'), ('residents')) b(body)",
    "INSERT INTO users (username, display_name, password_hash, role, scope_id, language, active, "
    "password_changed_at, failed_logins, created_at) "
    "SELECT p.name || n, '', 'x', p.role, p.scope, 'zh', true, now(), 0, now() FROM ("
    " SELECT 'cadre' AS name, 'cadre' AS role, u AS n, 100001 + (5 * (u - 1)) % :streets AS scope "
    "   FROM generate_series(1, (:communities + 4) / 5) u"
    " UNION ALL SELECT 'streetsec', 'supervisor', s, 100000 + s FROM generate_series(1, :streets) s"
    " UNION ALL SELECT 'county', 'supervisor', k, 1000 + k FROM generate_series(1, :counties) k"
    " UNION ALL SELECT 'countysec', 'supervisor', k, 1000 + k FROM generate_series(1, :counties) k"
    " UNION ALL SELECT 'city', 'supervisor', c, 1 + c FROM generate_series(1, :cities) c"
    " UNION ALL SELECT 'citysec', 'supervisor', c, 1 + c FROM generate_series(1, :cities) c"
    " UNION ALL SELECT 'cityvice', 'supervisor', c, 1 + c FROM generate_series(1, :cities) c) p",
    # 三包三保: street cadre per community, county leader per street, city leader per county; first/direct persons
    "INSERT INTO responsibilities (target_code, region_id, community_id, kind, user_id) "
    "SELECT c.code, NULL, c.id, 'contact', u.id FROM communities c JOIN users u ON u.username = 'cadre' || ((c.id - 1) / 5 + 1)",
    *[f"INSERT INTO responsibilities (target_code, region_id, community_id, kind, user_id) "
      f"SELECT r.code, r.id, NULL, '{kind}', u.id FROM regions r JOIN users u ON u.username = '{who}' || ({number}) "
      f"WHERE r.level = '{level}'"
      for level, kind, who, number in (("street", "contact", "county", "r.county_id - 1000"),
                                       ("street", "direct", "streetsec", "r.id - 100000"),
                                       ("county", "contact", "city", "r.city_id - 1"),
                                       ("county", "first", "countysec", "r.id - 1000"),
                                       ("city", "first", "citysec", "r.id - 1"),
                                       ("city", "direct", "cityvice", "r.id - 1"))],
    "SELECT setval(pg_get_serial_sequence('regions', 'id'), (SELECT max(id) FROM regions))",
    "SELECT setval(pg_get_serial_sequence('communities', 'id'), (SELECT max(id) FROM communities))",
    "SELECT setval(pg_get_serial_sequence('campaigns', 'id'), 1)",
]

CHILD = """
import json, sys, time
from workflow.db import Database
from workflow.services.sweep import sweep_overdue
from sqlalchemy import text

def status(field):
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(field + ":"))

db = Database(sys.argv[1])
with db.engine.connect() as conn:
    conn.execute(text("SELECT 1"))
with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")  # reset the peak (VmHWM) so that it measures the sweep alone
before = status("VmRSS")
stages = []
start = last = time.perf_counter()

def stage(name):
    global last
    now = time.perf_counter()
    stages.append([name, round(now - last, 3)])
    last = now

result = sweep_overdue(db, at=sys.argv[2], on_stage=stage)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "result": result, "rss_before_kb": before, "rss_peak_kb": status("VmHWM"),
                  "stages": stages}))
"""


def fill(url: str, communities: int) -> dict[str, int]:
    """Bulk-insert the regions, communities, elections, users and responsibilities."""
    from workflow.db import Database
    from workflow.schema import upgrade
    db = Database(url)
    upgrade(db.engine)
    sizes = {"communities": communities, "streets": max(1, communities // 20), "counties": 100, "cities": 14}
    with db.engine.begin() as conn:
        for statement in FILL:
            conn.execute(text(statement), sizes)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    db.dispose()
    return sizes


def bare_select(url: str) -> tuple[float, int]:
    """Seconds of the bare SQL select of the overdue elections, every row fetched."""
    from sqlalchemy import create_engine
    engine = create_engine(url)
    with engine.connect() as conn:
        start = time.perf_counter()
        rows = conn.execute(text("SELECT id, community_id, state, due_on FROM elections "
                                 "WHERE due_on < :day AND state <> 'closed'"), {"day": DAY}).all()
        seconds = time.perf_counter() - start
    engine.dispose()
    return seconds, len(rows)


def sweep_child(url: str, at: str) -> dict[str, Any]:
    """Run one sweep in a fresh process, as the scheduler does; return its figures."""
    done = subprocess.run([sys.executable, "-c", CHILD, url, at], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, check=False)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run(url: str, label: str = "") -> dict[str, Any]:
    """Time the three sweeps on the database at url (it is changed)."""
    out: dict[str, Any] = {"load": load_average()}
    seconds, rows = bare_select(url)
    out["bare_select"] = {"seconds": seconds, "rows": rows}
    print(f"{label}bare SQL select of the overdue elections: {rows:,} rows in {seconds * 1000:.0f} ms")
    for name, at in (("cold: every rung at once", AT), ("same instant again", AT),
                     ("next day", "2015-01-21T12:00:00+08:00")):
        fig = sweep_child(url, at)
        grew = (fig["rss_peak_kb"] - fig["rss_before_kb"]) / 1024
        verdict = "met" if fig["seconds"] < GOAL_S else "MISSED"
        print(f"{label}sweep, {name:<26} {fig['seconds']:6.2f} s  raised {fig['result']['raised']:,} "
              f"closed {fig['result']['closed']:,} notifications {fig['result']['notifications']:,}  "
              f"peak RSS {fig['rss_peak_kb'] / 1024:.0f} MB (+{grew:.1f} MB while sweeping)  goal < {GOAL_S:.0f} s: {verdict}")
        print(f"{label}    " + ", ".join(f"{name} {secs:.2f} s" for name, secs in fig["stages"]))
        out[name] = fig
    return out


def synthetic(communities: int) -> dict[str, Any]:
    """Fill a throwaway database of that size and time the sweeps on it."""
    with throwaway_database(prefix="huanjie_bench_sweep") as url:
        start = time.perf_counter()
        sizes = fill(url, communities)
        print(f"\n{communities:,} communities, {2 * communities:,} elections, {sizes['streets']:,} streets: "
              f"filled in {time.perf_counter() - start:.1f} s; machine load {load_average()}")
        return {"sizes": sizes, **run(url, "  ")}


def main(argv: Optional[list[str]] = None) -> None:
    """Command line: see the module docstring."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--communities", type=int, default=100_000)
    ap.add_argument("--small", type=int, default=10_000, help="a second, smaller run to compare memory (0: none)")
    ap.add_argument("--national", action="store_true", help="use a copy of the national data set instead")
    ap.add_argument("--url", help="sweep this database in place")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    figures: dict[str, Any] = {}
    if args.url:
        figures["url"] = run(args.url)
    elif args.national:
        from .common import ensure_national, national_name
        ensure_national(args.communities)
        with throwaway_database(template=national_name(args.communities)) as url:
            figures["national"] = run(url)
    else:
        for size in ([args.small] if args.small else []) + [args.communities]:
            figures[str(size)] = synthetic(size)
        if args.small:
            small, big = figures[str(args.small)], figures[str(args.communities)]
            key = "cold: every rung at once"
            print(f"\npeak RSS of the cold sweep: {small[key]['rss_peak_kb'] / 1024:.0f} MB at "
                  f"{2 * args.small:,} elections, {big[key]['rss_peak_kb'] / 1024:.0f} MB at {2 * args.communities:,}")
    save_json(args.json, figures)


if __name__ == "__main__":
    main()
