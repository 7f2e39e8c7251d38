"""Transitions per second through fire_trigger, next to a raw-SQL baseline doing the same writes.

    python -m benchmarks.engine                      # SQLite and PostgreSQL, 3 interleaved runs of 2 s each
    python -m benchmarks.engine --db postgresql --seconds 5 --threads 4
    python -m benchmarks.engine --profile            # cProfile of the single-threaded engine loop (top 25)

Each backend gets a throwaway database (an SQLite file in a temporary folder; a PostgreSQL database created
and dropped on the server of HUANJIE_BENCH_PG_ADMIN / HUANJIE_TEST_PG_ADMIN). Measured, single-threaded and with
N worker threads, each thread on elections of its own:
  * engine suspend/resume  — fire_trigger by a province supervisor, one unit of work per transition;
  * baseline               — the same writes in raw SQL on a DB-API connection: a version-checked UPDATE of
                             the election, an INSERT of the audit row, COMMIT;
  * floor                  — the statements suspend/resume sends (the election's row, the write with its history
                             row), sent the engine's way in the same unit of work, without any engine logic;
  * engine another_round   — a guarded trigger (round_valid, seats_unfilled; full snapshot, facts cleared);
  * engine open_nomination — the main path's first step (8 guards), once per prepared election.
Goals on PostgreSQL: suspend/resume within 3x of the baseline and >= 1,000 transitions/s with 4 threads.
"""
from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import io
import pstats
import shutil
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional

from sqlalchemy import insert, select

from workflow.auth import SYSTEM, Actor
from workflow.clock import now
from workflow.db import Database
from workflow.models import AuditEvent, Election, Fact, User
from workflow.schema import upgrade
from workflow.services.campaigns import create_campaign, launch_campaign
from workflow.services.election_data import add_candidate, record_fact, record_round, set_seats
from workflow.services.elections import _write_transition, fire_trigger
from workflow.services.reads import actor_for
from workflow.services.subject import load_subject
from workflow.services.structure import create_community, create_region, create_user

from .common import create_database, drop_database, load_average

DUE = {"preparation": "2099-12-31", "nomination": "2099-12-31", "candidate_meeting": "2099-12-31",
       "voting": "2099-12-31", "certification": "2099-12-31", "handover": "2099-12-31", "summary": "2099-12-31"}
PREP = ("leadership_group_formed", "work_plan_approved", "contingency_plan_filed", "staff_trained", "publicity_done",
        "funding_secured", "org_setup_confirmed")
GOAL_RATIO, GOAL_RATE = 3.0, 1000.0


# ---------------------------------------------------------------- the data set

@dataclass
class World:
    """The benchmark's elections, split into pools that the measurements use up or cycle on."""

    db: Database
    supervisor: Actor
    cadre: Actor
    cycle: list[int] = field(default_factory=list)       # preparation, cycled by suspend/resume
    baseline: list[int] = field(default_factory=list)    # preparation, cycled by raw SQL
    voting: list[int] = field(default_factory=list)      # voting with a valid round and open seats
    ready: list[int] = field(default_factory=list)       # preparation with every open_nomination guard met


def build(db: Database, threads: int, ready: int) -> World:
    """Create regions, communities, users and a launched campaign, then put elections into their pools."""
    pools = 3 * threads  # cycle, baseline and voting need one election per thread each
    communities = pools + ready
    with db.uow() as uow:
        create_region(uow, SYSTEM, "210000", "辽宁省", "province")
        create_region(uow, SYSTEM, "210100", "沈阳市", "city", "210000")
        create_region(uow, SYSTEM, "210102", "和平区", "county", "210100")
        create_region(uow, SYSTEM, "210102001", "太原街街道", "street", "210102")
        for i in range(communities):
            create_community(uow, SYSTEM, {"code": f"210102001{i + 1:03d}", "name": f"社区{i + 1}",
                                           "street": "210102001", "households": 2000, "voters": 4000,
                                           "party_org_type": "general_branch", "party_members": 100})
        create_user(uow, SYSTEM, "sup", "bench password 1", "supervisor", "210000")
        create_user(uow, SYSTEM, "cadre", "bench password 1", "cadre", "210102001")
        create_campaign(uow, SYSTEM, "BENCH", "基准测试", "liaoning-2014", "210000", "concurrent", DUE)
        launch_campaign(uow, SYSTEM, "BENCH")
    with db.uow(write=False) as uow:
        s = uow.session
        users = {u.username: actor_for(s, u) for u in s.scalars(select(User))}
        party = list(s.scalars(select(Election.id).where(Election.body == "party").order_by(Election.id)))
    world = World(db, users["sup"], users["cadre"])
    world.cycle, world.baseline = party[:threads], party[threads:2 * threads]
    world.voting, world.ready = party[2 * threads:3 * threads], party[pools:pools + ready]
    for eid in world.voting:
        to_voting(world, eid)
    prepare_ready(world)
    return world


def to_voting(w: World, eid: int) -> None:
    """Walk one party election to voting and record a valid first round that fills no seat."""
    with w.db.uow() as uow:
        sup, cadre = w.supervisor, w.cadre
        for key in PREP:
            record_fact(uow, cadre, eid, key, True)
        set_seats(uow, cadre, eid, {"member": 5})
        _fire(uow, cadre, eid, "open_nomination")
        for i in range(6):
            add_candidate(uow, cadre, eid, {"name": f"候选人{eid}-{i}", "post": "member", "full_member": True})
        for key in ("member_mass_recommendation_done", "superior_recommendation_done", "candidate_list_reported"):
            record_fact(uow, cadre, eid, key, True)
        record_fact(uow, sup, eid, "candidate_list_approved", True)
        _fire(uow, cadre, eid, "open_candidate_meeting")
        for key in ("candidates_introduced", "polling_arrangements_ready"):
            record_fact(uow, cadre, eid, key, True)
        _fire(uow, cadre, eid, "open_voting")
        record_round(uow, cadre, eid, {"kind": "first", "expected": 100, "present": 90, "ballots_issued": 90,
                                       "ballots_returned": 90, "ballots_invalid": 0, "votes": {}})


def _fire(uow: Any, actor: Actor, eid: int, trigger: str) -> Election:
    version = uow.session.get(Election, eid).version
    return fire_trigger(uow, actor, eid, trigger, version)


def prepare_ready(w: World) -> None:
    """Meet every open_nomination guard of the ready pool: seats through the service, facts in bulk."""
    with w.db.uow() as uow:
        for eid in w.ready:
            set_seats(uow, w.cadre, eid, {"member": 5})
        stamp = now()
        rows = [{"election_id": eid, "key": key, "value": True, "recorded_by": w.cadre.user_id, "recorded_at": stamp}
                for eid in w.ready for key in PREP]
        if rows:
            uow.session.execute(insert(Fact), rows)


# ---------------------------------------------------------------- the loops

@dataclass
class Rate:
    """One timed run: transitions per second (wall clock) and the process's CPU time per transition."""

    per_second: float
    cpu_ms: float


def run_threads(n: int, body: Callable[[int, Callable[[], bool]], int], seconds: float) -> Rate:
    """Run body(thread index, keep_going) in n threads for about `seconds`; return the rate."""
    counts = [0] * n
    errors: list[BaseException] = []
    barrier = threading.Barrier(n + 1)
    deadline = [0.0]

    def keep_going() -> bool:
        return time.perf_counter() < deadline[0]

    def worker(i: int) -> None:
        barrier.wait()
        try:
            counts[i] = body(i, keep_going)
        except BaseException as exc:  # noqa: BLE001 - reported after the join
            errors.append(exc)

    pool = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(n)]
    for t in pool:
        t.start()
    deadline[0] = time.perf_counter() + seconds
    start, cpu = time.perf_counter(), time.process_time()
    barrier.wait()
    for t in pool:
        t.join()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    if errors:
        raise errors[0]
    done = max(sum(counts), 1)
    return Rate(sum(counts) / elapsed, 1000 * cpu / done)


def median_rate(runs: list[Rate]) -> Rate:
    """Return the run with the median rate (the machine may be shared: runs are repeated and interleaved)."""
    return sorted(runs, key=lambda r: r.per_second)[len(runs) // 2]


def engine_cycle(w: World) -> Callable[[int, Callable[[], bool]], int]:
    """Suspend and resume one election per thread through fire_trigger, one unit of work each."""
    def body(i: int, keep_going: Callable[[], bool]) -> int:
        eid = w.cycle[i]
        with w.db.uow(write=False) as uow:
            election = uow.session.get(Election, eid)
            version, suspended = election.version, election.state == "suspended"
        done = 0
        while keep_going():
            with w.db.uow() as uow:
                if suspended:
                    e = fire_trigger(uow, w.supervisor, eid, "resume", version)
                else:
                    e = fire_trigger(uow, w.supervisor, eid, "suspend", version, note="基准测试：应急处置")
                version, suspended = e.version, not suspended
            done += 1
        return done
    return body


def engine_another_round(w: World) -> Callable[[int, Callable[[], bool]], int]:
    """Fire the guarded another_round (voting → voting) on one election per thread."""
    def body(i: int, keep_going: Callable[[], bool]) -> int:
        eid = w.voting[i]
        with w.db.uow(write=False) as uow:
            version = uow.session.get(Election, eid).version
        done = 0
        while keep_going():
            with w.db.uow() as uow:
                version = fire_trigger(uow, w.cadre, eid, "another_round", version).version
            done += 1
        return done
    return body


def engine_open_nomination(w: World, pools: list[list[int]]) -> Callable[[int, Callable[[], bool]], int]:
    """Fire open_nomination once on each election of the thread's pool (every guard evaluated, all met)."""
    def body(i: int, keep_going: Callable[[], bool]) -> int:
        done = 0
        for eid in pools[i]:
            if not keep_going():
                break
            with w.db.uow() as uow:
                fire_trigger(uow, w.cadre, eid, "open_nomination", 1)
            done += 1
        return done
    return body


def baseline(w: World) -> Callable[[int, Callable[[], bool]], int]:
    """The same writes as suspend/resume in raw SQL on a DB-API connection: UPDATE with version check, INSERT, COMMIT."""
    sqlite = w.db.is_sqlite
    p = "?" if sqlite else "%s"
    update_sql = (f"UPDATE elections SET state = {p}, suspended_from = {p}, suspended_on = {p}, review_on = {p}, "
                  f"due_on = {p}, updated_at = {p}, version = version + 1 WHERE id = {p} AND version = {p}")
    audit_sql = (f"INSERT INTO audit_events (at, actor_id, actor, election_id, community_id, action, from_state, "
                 f"to_state, \"trigger\", note, data) VALUES ({', '.join([p] * 11)})")

    def body(i: int, keep_going: Callable[[], bool]) -> int:
        eid = w.baseline[i]
        conn = w.db.engine.raw_connection()
        try:
            cur = conn.cursor()
            cur.execute(f"SELECT version, community_id FROM elections WHERE id = {p}", (eid,))
            version, community = cur.fetchone()
            conn.commit()
            suspended, done = False, 0
            actor = w.supervisor
            while keep_going():
                stamp = now()
                day = stamp.date()
                if sqlite:
                    cur.execute("BEGIN IMMEDIATE")
                    stamp_v: Any = stamp.isoformat(" ")
                    day_v: Any = day.isoformat()
                else:
                    stamp_v, day_v = stamp, day
                if suspended:
                    values = ("preparation", None, None, None, "2099-12-31", stamp_v, eid, version)
                    move, data = ("suspended", "preparation", "resume"), '{"days_suspended": 0}'
                else:
                    review = (day + dt.timedelta(days=14)).isoformat()
                    values = ("suspended", "preparation", day_v, review, review, stamp_v, eid, version)
                    move, data = ("preparation", "suspended", "suspend"), f'{{"review_on": "{review}"}}'
                cur.execute(update_sql, values)
                if cur.rowcount != 1:
                    raise RuntimeError("baseline version conflict")
                cur.execute(audit_sql, (stamp_v, actor.user_id, actor.username, eid, community, "transition",
                                        *move, "基准测试：应急处置", data))
                conn.commit()
                version, suspended, done = version + 1, not suspended, done + 1
            return done
        finally:
            conn.close()
    return body


def stack_floor(w: World) -> Callable[[int, Callable[[], bool]], int]:
    """The statements a suspend/resume sends, sent the engine's way, and nothing else.

    A unit of work (SQLAlchemy session on the pooled connection), the election's row read for the transition and
    its version-checked write with the history row (on PostgreSQL straight on the session's cursor, as the
    engine does), commit: no role check, no machine, no guards, no due dates. What the engine costs beyond this
    is the engine's own; what this costs beyond the raw-SQL baseline is the unit of work's (session, pool,
    compiled statements), which no change to the engine's logic can remove.
    """
    def body(i: int, keep_going: Callable[[], bool]) -> int:
        eid, actor, done = w.baseline[i], w.supervisor, 0
        while keep_going():
            with w.db.uow() as uow:
                subject = load_subject(uow.session, actor, eid)
                stamp = now()
                if subject.state == "suspended":
                    subject.state, subject.suspended_from, subject.suspended_on, subject.review_on = \
                        "preparation", None, None, None
                else:
                    subject.suspended_from, subject.state = subject.state, "suspended"
                    subject.suspended_on = stamp.date()
                    subject.review_on = subject.due_on = stamp.date() + dt.timedelta(days=14)
                subject.updated_at = stamp
                _write_transition(uow.session, subject, {
                    "at": stamp, "actor_id": actor.user_id, "actor": actor.username, "action": "transition",
                    "election_id": eid, "community_id": subject.community_id, "from_state": "x",
                    "to_state": subject.state, "trigger": "floor", "note": None, "data": {}})
            done += 1
        return done
    return body


# ---------------------------------------------------------------- running and reporting

@contextlib.contextmanager
def database(kind: str) -> Iterator[Database]:
    """Yield a migrated throwaway database of the given kind, removed afterwards."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="huanjie-bench-engine-")
        db = Database(f"sqlite:///{folder}/engine.sqlite3")
        try:
            upgrade(db.engine)
            yield db
        finally:
            db.dispose()
            shutil.rmtree(folder, ignore_errors=True)
        return
    name = f"huanjie_bench_engine_{uuid.uuid4().hex[:8]}"
    db = Database(create_database(name))
    try:
        upgrade(db.engine)
        yield db
    finally:
        db.dispose()
        drop_database(name)


def measure(kind: str, seconds: float, threads: int, ready: int, profile: bool, repeats: int) -> dict[str, float]:
    """Build the data set on one backend and print every figure; return them."""
    figures: dict[str, float] = {}
    with database(kind) as db:
        t0 = time.perf_counter()
        w = build(db, threads, ready)
        print(f"\n== {kind}: data set built in {time.perf_counter() - t0:.1f} s "
              f"({len(w.ready)} elections ready for open_nomination); load {load_average()}")
        # warm up every path (caches, pools, prepared plans) before measuring
        run_threads(1, engine_cycle(w), 0.3)
        run_threads(1, baseline(w), 0.3)
        if profile:
            prof, stop = cProfile.Profile(), time.perf_counter() + seconds
            prof.enable()
            engine_cycle(w)(0, lambda: time.perf_counter() < stop)  # in this thread, where the profiler runs
            prof.disable()
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(25)
            print(out.getvalue())
        for n in sorted({1, threads}):
            runs: dict[str, list[Rate]] = {"engine": [], "baseline": [], "another_round": [], "floor": []}
            for _ in range(repeats):  # interleaved, so that a busy moment of the machine hits them all
                runs["engine"].append(run_threads(n, engine_cycle(w), seconds))
                runs["baseline"].append(run_threads(n, baseline(w), seconds))
                runs["floor"].append(run_threads(n, stack_floor(w), seconds))
                runs["another_round"].append(run_threads(n, engine_another_round(w), seconds))
            eng, base, guarded, floor = (median_rate(runs[k]) for k in ("engine", "baseline", "another_round", "floor"))
            figures[f"floor_{n}"] = floor.per_second
            figures[f"engine_{n}"], figures[f"baseline_{n}"] = eng.per_second, base.per_second
            figures[f"another_round_{n}"] = guarded.per_second
            spread = sorted(r.per_second for r in runs["engine"])
            label = f"{n} thread{'s' if n > 1 else ' '}"
            print(f"{label}: engine suspend/resume {eng.per_second:6.0f}/s ({eng.cpu_ms:4.2f} ms CPU each; runs "
                  f"{spread[0]:.0f}-{spread[-1]:.0f})   raw-SQL baseline {base.per_second:6.0f}/s ({base.cpu_ms:4.2f} ms)"
                  f"   ratio {base.per_second / eng.per_second:5.2f}x")
            print(f"{' ' * len(label)}  floor: the same statements, no engine logic {floor.per_second:6.0f}/s "
                  f"({floor.cpu_ms:4.2f} ms CPU each; baseline ratio {base.per_second / floor.per_second:4.2f}x)")
            print(f"{' ' * len(label)}  engine another_round (guarded) {guarded.per_second:6.0f}/s "
                  f"({guarded.cpu_ms:4.2f} ms CPU each)")
        half = len(w.ready) // 2
        for n, pool in ((1, w.ready[:half]), (threads, w.ready[half:])):
            pools = [pool[i::n] for i in range(n)]
            rate = run_threads(n, engine_open_nomination(w, pools), seconds * 10)
            figures[f"open_nomination_{n}"] = rate.per_second
            print(f"{n} thread{'s' if n > 1 else ' '}: engine open_nomination (main path, 8 guards) "
                  f"{rate.per_second:6.0f}/s ({rate.cpu_ms:4.2f} ms CPU each)")
        print(f"load average now {load_average()}")
        with db.uow(write=False) as uow:
            transitions = uow.session.query(AuditEvent).filter(AuditEvent.action == "transition").count()
        print(f"transitions written: {transitions}")
    if kind == "postgresql":
        ratio = figures[f"baseline_{threads}"] / figures[f"engine_{threads}"]
        rate = figures[f"engine_{threads}"]
        print(f"goals (PostgreSQL, {threads} threads): within {GOAL_RATIO:.0f}x of the baseline: "
              f"{'met' if ratio <= GOAL_RATIO else 'MISSED'} ({ratio:.2f}x); >= {GOAL_RATE:.0f}/s: "
              f"{'met' if rate >= GOAL_RATE else 'MISSED'} ({rate:.0f}/s)")
    return figures


def main(argv: Optional[list[str]] = None) -> None:
    """Parse the options and run the benchmark on each chosen backend."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--seconds", type=float, default=2.0, help="length of each timed measurement")
    ap.add_argument("--repeats", type=int, default=3, help="interleaved runs of each measurement (median shown)")
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--ready", type=int, default=400, help="elections prepared for the open_nomination runs")
    ap.add_argument("--profile", action="store_true", help="print a cProfile of the single-threaded engine loop")
    args = ap.parse_args(argv)
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    print(f"Python {sys.version.split()[0]}; {args.repeats} interleaved runs of {args.seconds:.1f} s per figure "
          f"(median shown)")
    for kind in kinds:
        measure(kind, args.seconds, args.threads, args.ready, args.profile, args.repeats)


if __name__ == "__main__":
    main()
