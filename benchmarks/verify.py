"""Checking the history's hash chains, next to a plain SELECT of the same rows, and what the hash costs a transition.

    python -m benchmarks.verify --communities 120000   # the national data set (5.6 million history rows), built if missing
    python -m benchmarks.verify --communities 30000    # a quarter of it (1.4 million rows), when time is short
    python -m benchmarks.verify --url URL              # any migrated PostgreSQL database, read only

Measured in the same run, on PostgreSQL:
  * baseline   — the plain SELECT of every history row, in id order, the columns the check reads, a batch at a time
                 exactly as the check reads them (and, for reference, as one streamed SELECT on a server-side cursor);
  * verify     — workflow.services.chain.check_rows over every row (goal: within 3x of the baseline);
  * memory     — the process's peak resident memory after checking a quarter of the rows and after all of them
                 (goal: flat; it holds one hash per chain, never the rows);
  * transition — the CPU of suspend/resume through fire_trigger with the hash, and with the pre-hash write
                 statement patched back in, interleaved; and the Python work the hash adds, timed alone
                 (goal: under 5 % of fire_trigger's CPU).
"""
from __future__ import annotations

import argparse
import datetime as dt
import resource
import time
from typing import Any, Optional

import psycopg
from sqlalchemy import bindparam, insert, select, text, update

from workflow.db import Database
from workflow.errors import VersionConflict
from workflow.models import AuditEvent, Election
from workflow.services import chain, elections as elections_service
from workflow.services.direct import run
from workflow.services.elections import AUDIT_COLUMNS, fire_trigger
from workflow.services.subject import TRANSITION_COLUMNS

from .common import ensure_national, load_average, save_json
from .engine import build, database

GOAL_RATIO, GOAL_SHARE = 3.0, 0.05
A = AuditEvent.__table__
COLUMNS = [A.c.id, A.c.hash] + [A.c[name] for name in chain.FIELDS if name != "id"]


def peak_mib() -> float:
    """The process's peak resident memory so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def baseline_batches(db: Database) -> tuple[float, int]:
    """Read every row in id order, a batch at a time, as the check does, without checking anything."""
    start, rows = time.perf_counter(), 0
    with db.uow(write=False) as uow:
        last = 0
        while True:
            batch = uow.session.execute(select(*COLUMNS).where(A.c.id > last).order_by(A.c.id)
                                        .limit(chain.BATCH)).all()
            if not batch:
                break
            rows += len(batch)
            last = batch[-1][0]
    return time.perf_counter() - start, rows


def baseline_stream(url: str) -> tuple[float, int]:
    """The same rows as one SELECT on a server-side cursor (psycopg, no SQLAlchemy)."""
    names = ", ".join(c.name for c in COLUMNS)
    start, rows = time.perf_counter(), 0
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        with conn.cursor(name="history") as cur:
            cur.itersize = chain.BATCH
            cur.execute(f"SELECT {names} FROM audit_events ORDER BY id")
            for _ in cur:
                rows += 1
    return time.perf_counter() - start, rows


def verify(db: Database, upto: Optional[int] = None) -> tuple[float, Any]:
    """Check every row (or those up to an id)."""
    start = time.perf_counter()
    with db.uow(write=False) as uow:
        result = chain.check_rows(uow.session, upto=upto)
    return time.perf_counter() - start, result


def check_figures(url: str) -> dict[str, Any]:
    """Time the check next to the plain SELECT, and its memory at a quarter and at all of the rows."""
    db = Database(url)
    with db.engine.connect() as conn:
        total, top = conn.execute(text("SELECT count(*), max(id) FROM audit_events")).one()
        quarter = conn.execute(text("SELECT id FROM audit_events ORDER BY id OFFSET :n LIMIT 1"),
                               {"n": total // 4}).scalar()
    print(f"{total:,} history rows; machine load {load_average()}")
    base_mib = peak_mib()
    _, part = verify(db, quarter)
    quarter_mib = peak_mib()
    out: dict[str, Any] = {"rows": total, "baseline_s": [], "verify_s": [], "stream_s": []}
    for _ in range(2):  # interleaved, so that the machine's load hits both alike
        out["baseline_s"].append(baseline_batches(db)[0])
        seconds, result = verify(db)
        out["verify_s"].append(seconds)
    full_mib = peak_mib()
    out["stream_s"].append(baseline_stream(url)[0])
    b, v = min(out["baseline_s"]), min(out["verify_s"])
    ratio = v / b
    print(f"baseline: SELECT of {total:,} rows in id order, in batches as the check reads them: {b:.1f} s "
          f"({total / b:,.0f} rows/s); one streamed SELECT: {out['stream_s'][0]:.1f} s")
    print(f"verify:   {result.rows:,} rows, {result.chains:,} chains, {len(result.broken)} broken: {v:.1f} s "
          f"({total / v:,.0f} rows/s) = {ratio:.2f}x the baseline; goal <= {GOAL_RATIO:.0f}x: "
          f"{'met' if ratio <= GOAL_RATIO else 'MISSED'}")
    per_chain = (full_mib - base_mib) * 2**20 / max(result.chains, 1)
    print(f"memory:   peak RSS {base_mib:.0f} MiB before, {quarter_mib:.0f} MiB after a quarter of the rows "
          f"({part.rows:,}), {full_mib:.0f} MiB after all of them: the rows are never held (a batch of "
          f"{chain.BATCH:,} at a time); what stays is one hash per chain ({result.chains:,} chains, "
          f"{per_chain:,.0f} bytes each at most, the allocator's high-water mark included)")
    out.update(ratio=ratio, chains=result.chains, broken=len(result.broken), memory_mib=[base_mib, quarter_mib,
                                                                                          full_mib])
    db.dispose()
    return out


# --- the transition ---------------------------------------------------------------------------------------------

def _pre_hash_statement() -> Any:
    """The transition's write as it was before the hash: UPDATE … RETURNING feeding the history INSERT."""
    e = Election.__table__
    moved = (update(e).where(e.c.id == bindparam("w_id"), e.c.version == bindparam("w_version"))
             .values(version=e.c.version + 1, **{name: bindparam(f"w_{name}") for name in TRANSITION_COLUMNS}))
    updated = moved.returning(e.c.id).cte("moved")
    row = select(*(bindparam(f"h_{name}", type_=A.c[name].type) for name in AUDIT_COLUMNS)).select_from(updated)
    return insert(A).from_select(list(AUDIT_COLUMNS), row).execution_options(preserve_rowcount=True)


_PRE_HASH = _pre_hash_statement()


def _write_without_hash(s: Any, election: Any, history: dict[str, Any]) -> None:
    s.flush()
    params = {f"w_{name}": getattr(election, name) for name in TRANSITION_COLUMNS}
    params.update(w_id=election.id, w_version=election.version)
    params.update((f"h_{name}", value) for name, value in history.items())
    if run(s, _PRE_HASH, params).rowcount != 1:
        raise VersionConflict()
    election.version += 1


def cycle_cpu(w: Any, eid: int, seconds: float) -> float:
    """CPU seconds per suspend/resume through fire_trigger on one election, single-threaded."""
    with w.db.uow(write=False) as uow:
        e = uow.session.get(Election, eid)
        version, suspended = e.version, e.state == "suspended"
    done, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        with w.db.uow() as uow:
            trigger = "resume" if suspended else "suspend"
            e = fire_trigger(uow, w.supervisor, eid, trigger, version, note=None if suspended else "基准测试")
            version, suspended = e.version, not suspended
        done += 1
    return (time.process_time() - cpu) / done


def hash_work_us(w: Any, n: int = 20_000) -> float:
    """Microseconds of Python the hash adds to one transition (its row's canonical encoding, around the id)."""
    row = {"at": dt.datetime.now(dt.timezone.utc), "actor_id": 1, "actor": "sup", "action": "transition",
           "election_id": w.cycle[0], "community_id": 1, "from_state": "preparation", "to_state": "suspended",
           "trigger": "suspend", "note": "基准测试", "data": {"review_on": "2015-01-10"}}
    with w.db.uow(write=False) as uow:
        start = time.process_time()
        for _ in range(n):
            chain.stamp_parts(uow.session, dict(row))
        return (time.process_time() - start) / n * 1e6


def transition_figures(seconds: float, repeats: int) -> dict[str, Any]:
    """Interleave fire_trigger with and without the hash on a throwaway database; time the hash's own work."""
    with database("postgresql") as db:
        w = build(db, threads=1, ready=0)
        original = elections_service._write_transition
        with_hash, without = [], []
        for _ in range(repeats):
            with_hash.append(cycle_cpu(w, w.cycle[0], seconds))
            elections_service._write_transition = _write_without_hash  # type: ignore[assignment]
            try:
                without.append(cycle_cpu(w, w.baseline[0], seconds))  # rows without hashes: another chain
            finally:
                elections_service._write_transition = original  # type: ignore[assignment]
        work = hash_work_us(w)
        with db.uow(write=False) as uow:
            check = chain.check_rows(uow.session, election_id=w.cycle[0], only_election=True)
    a, b = sorted(with_hash)[len(with_hash) // 2], sorted(without)[len(without) // 2]
    share = work / 1e6 / a
    print(f"transition: fire_trigger suspend/resume {a * 1e3:.3f} ms CPU with the hash, {b * 1e3:.3f} ms with the "
          f"pre-hash statement (medians of {repeats} interleaved runs of {seconds:.0f} s; difference "
          f"{(a - b) / b * 100:+.1f} %, within the machine's noise)")
    print(f"            the hash's own Python work {work:.1f} us per transition = {share * 100:.1f} % of "
          f"fire_trigger's CPU; goal < {GOAL_SHARE * 100:.0f} %: {'met' if share < GOAL_SHARE else 'MISSED'} "
          f"(SHA-256 itself runs in the statement, on the server); the chain written meanwhile: "
          f"{check.rows} rows, {'valid' if check.ok else 'BROKEN'}")
    return {"with_hash_ms": a * 1e3, "without_hash_ms": b * 1e3, "hash_work_us": work, "share": share,
            "chain_ok": check.ok}


def main(argv: Optional[list[str]] = None) -> None:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--communities", type=int, default=120_000, help="size of the national data set to check")
    ap.add_argument("--url", help="check this database instead of the national data set")
    ap.add_argument("--seconds", type=float, default=3.0, help="length of each transition run")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-check", action="store_true", help="only the transition figures")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    figures: dict[str, Any] = {}
    if not args.skip_check:
        started = time.perf_counter()
        url = args.url or ensure_national(args.communities)
        figures["data_set_s"] = time.perf_counter() - started
        figures["check"] = check_figures(url)
    figures["transition"] = transition_figures(args.seconds, args.repeats)
    save_json(args.json, figures)


if __name__ == "__main__":
    main()
