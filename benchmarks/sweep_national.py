"""One overdue sweep over all 240,000 elections, on a copy of the national data set (goal: < 5 s).

    python -m benchmarks.sweep_national [--communities 120000] [--url URL]

Three sweeps on a throwaway copy: the same day again (the scheduler's usual run: nothing new to raise), the
next day (one day of new rungs), and a cold sweep after the escalations and notifications are emptied (every
overdue subject raised at once: the first sweep after go-live, the worst case). Each prints its stages; the
baseline is one raw COUNT of the overdue elections over the same index. (benchmarks/sweep.py times the sweep
on a synthetic data set of its own and the scheduler's memory; this one uses the national data set, whose
dates are relative to today.)
"""
from __future__ import annotations

import argparse
import datetime as dt
import time
from typing import Any, Optional

from sqlalchemy import text

from workflow.db import Database

from .common import ensure_national, load_average, national_name, save_json, throwaway_database

GOAL_S = 5.0


def timed_sweep(db: Database, at: Optional[dt.datetime]) -> tuple[float, dict[str, int], list[tuple[str, float]]]:
    """Run one sweep; return its seconds, its result and the seconds of each stage."""
    from workflow.services.sweep import sweep_overdue
    stages: list[tuple[str, float]] = []
    start = last = time.perf_counter()

    def stage(name: str) -> None:
        nonlocal last
        t = time.perf_counter()
        stages.append((name, t - last))
        last = t
    result = sweep_overdue(db, at=at.isoformat() if at else None, on_stage=stage)
    return time.perf_counter() - start, result, stages


def baseline(db: Database) -> float:
    """Seconds of a raw COUNT of the overdue elections (the index the sweep reads)."""
    with db.engine.connect() as conn:
        start = time.perf_counter()
        conn.execute(text("SELECT count(*) FROM elections WHERE due_on < current_date AND state <> 'closed'")).scalar()
        return time.perf_counter() - start


def run(url: str) -> dict[str, Any]:
    """Run the three sweeps on the database at url (it is changed: give a copy)."""
    db = Database(url)
    out: dict[str, Any] = {"load": load_average(), "baseline_count_s": baseline(db)}
    now = dt.datetime.now(dt.timezone.utc)
    for label, at, reset in (("same day (nothing new)", now, False), ("next day", now + dt.timedelta(days=1), False),
                             ("cold: every rung at once", now + dt.timedelta(days=1), True)):
        if reset:
            with db.engine.begin() as conn:
                conn.execute(text("TRUNCATE escalations, notifications"))
                conn.execute(text("ANALYZE escalations"))
        seconds, result, stages = timed_sweep(db, at)
        verdict = "met" if seconds < GOAL_S else "MISSED"
        print(f"sweep, {label:<26} {seconds:6.2f} s  {result}  goal < {GOAL_S:.0f} s: {verdict}")
        print("    " + ", ".join(f"{name} {s:.2f} s" for name, s in stages))
        out[label] = {"seconds": seconds, "result": result, "stages": stages}
    db.dispose()
    return out


def main(argv: Optional[list[str]] = None) -> None:
    """Command line: time the sweep on a throwaway copy of the national data set."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--communities", type=int, default=120_000)
    ap.add_argument("--url", help="sweep this database in place instead of a copy of the national one")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    if args.url:
        figures = run(args.url)
    else:
        ensure_national(args.communities)
        with throwaway_database(template=national_name(args.communities)) as url:
            elections = Database(url)
            with elections.engine.connect() as conn:
                n = conn.execute(text("SELECT count(*) FROM elections")).scalar()
            elections.dispose()
            print(f"{n:,} elections; machine load {load_average()}")
            figures = run(url)
    print(f"baseline: raw COUNT of overdue elections {figures['baseline_count_s'] * 1000:.1f} ms")
    save_json(args.json, figures)


if __name__ == "__main__":
    main()
