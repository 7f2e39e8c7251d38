"""Fill PostgreSQL with a national-scale data set: 120,000 communities, 240,000 elections in every state.

    python -m benchmarks.national --communities 120000                # into database huanjie_national_120000
    python -m benchmarks.national --communities 30000 --url postgresql+psycopg://postgres@127.0.0.1/mydb

Set-based: regions, communities, users, campaigns and elections go in with COPY; facts, candidates, rounds,
certificates, complaints and the history are derived from the elections' states with INSERT … SELECT
(national_sql.py). The data obey the engine: an election in a state holds what the guards of every earlier
state need (checked on a sample at the end); a third of the elections are ready to move on. Logins: every
generated user has the password `huanjie-bench` (admin; prov210000, city210100, county210102, cadre210102001…).
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from typing import Any, Callable, Iterable, Optional

import psycopg
from sqlalchemy import select, text

from workflow import guards as G
from workflow.clock import now as clock_now
from workflow.db import Database
from workflow.machines import DEFINITIONS, MAIN_PATH
from workflow.machines.base import LEAVING
from workflow.passwords import hash_password
from workflow.schema import upgrade

from . import national_sql as Q
from .common import BENCH_PASSWORD, create_database, database_exists, mark_database, national_name, pg_url
from .national_plan import CAMPAIGN_COLUMNS, ELECTION_COLUMNS, PLAN_COLUMNS, PLAN_DDL, Planner, campaigns
from .national_regions import COMMUNITY_COLUMNS, REGION_COLUMNS, Tree, build_tree, community_rows, region_rows

USER_COLUMNS = ("id", "username", "display_name", "password_hash", "role", "scope_id", "language", "active",
                "failed_logins", "password_changed_at", "created_at")
BULK_TABLES = ("facts", "audit_events")
ORDER_GUARDS = {"party_election_certified", "residents_election_certified"}


def _copy(cur: psycopg.Cursor[Any], table: str, columns: Iterable[str], rows: Iterable[tuple[Any, ...]]) -> None:
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)


def _users(tree: Tree, pw: str, stamp: dt.datetime) -> tuple[list[tuple[Any, ...]], dict[str, int]]:
    rows: list[tuple[Any, ...]] = []

    def add(username: str, display: str, role: str, scope: Optional[int]) -> None:
        rows.append((len(rows) + 1, username, display, pw, role, scope, "zh", True, 0, stamp, stamp))
    add("admin", "系统管理员", "admin", None)
    for r in tree.rows:
        if r.level == "province":
            add(f"prov{r.code}", f"{r.name}督导", "supervisor", r.id)
        elif r.level == "city":
            add(f"city{r.code}", f"{r.name}包县领导", "supervisor", r.id)
            add(f"renda{r.code}", f"{r.name}人大代表", "observer", r.id)
        elif r.level == "county":
            add(f"county{r.code}", f"{r.name}包街道领导", "supervisor", r.id)
            add(f"jiwei{r.code}", f"{r.name}纪委", "inspector", r.id)
        else:
            add(f"cadre{r.code}", f"{r.name}包社区干部", "cadre", r.id)
    return rows, {row[1]: row[0] for row in rows}


def _responsibilities(tree: Tree, uid: dict[str, int], communities: list[tuple[Any, ...]]) -> Iterable[tuple[Any, ...]]:
    by_id = {r.id: r for r in tree.rows}
    for r in tree.rows:
        if r.level == "county":  # city leaders answer for counties; the county secretary is first responsible
            city = by_id[r.city_id or 0]
            yield (r.code, r.id, None, "contact", uid[f"city{city.code}"])
            yield (r.code, r.id, None, "first", uid[f"county{r.code}"])
        elif r.level == "street":  # county leaders answer for streets; the street secretary is direct responsible
            county = by_id[r.county_id or 0]
            yield (r.code, r.id, None, "contact", uid[f"county{county.code}"])
            yield (r.code, r.id, None, "direct", uid[f"cadre{r.code}"])
    street_code = {r.id: r.code for r in tree.rows if r.level == "street"}
    for c in communities:
        yield (c[1], None, c[0], "contact", uid[f"cadre{street_code[c[3]]}"])


def _people(tree: Tree, uid: dict[str, int]) -> dict[int, tuple[int, str, int, str, int, str]]:
    """Per street: (cadre id, name, county supervisor id, name, city supervisor id, name)."""
    by_id = {r.id: r for r in tree.rows}
    out = {}
    for st in tree.level("street"):
        names = (f"cadre{st.code}", f"county{by_id[st.county_id or 0].code}", f"city{by_id[st.city_id or 0].code}")
        out[st.id] = (uid[names[0]], names[0], uid[names[1]], names[1], uid[names[2]], names[2])
    return out


def generate(url: str, communities: int, seed: int = 2014, echo: Callable[[str], Any] = print,
             sweep: bool = True, check: int = 400) -> dict[str, int]:
    """Fill an empty database at url with the national data set; return the row counts."""
    started = time.perf_counter()
    db = Database(url)
    upgrade(db.engine)
    with db.uow(write=False) as uow:
        if uow.session.execute(text("SELECT 1 FROM regions LIMIT 1")).first() is not None:
            raise SystemExit("the database already holds data; give an empty one (or drop it first)")
    rng = random.Random(seed)
    stamp = clock_now()
    tree = build_tree(communities, rng)
    comms = community_rows(tree, rng)
    users, uid = _users(tree, hash_password(BENCH_PASSWORD), stamp)
    provinces = tree.level("province")
    camps = campaigns(provinces, stamp, rng)
    planner = Planner({c.scope_id: c for c in camps}, _people(tree, uid), stamp, rng)
    for c in comms:
        planner.community(c)
    echo(f"planned {len(tree.rows)} regions, {len(comms)} communities, {len(planner.elections)} elections, "
         f"{len(users)} users in {time.perf_counter() - started:.1f} s")
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET maintenance_work_mem = '256MB'")
        cur.execute("SET work_mem = '64MB'")
        _step(echo, "structure", lambda: (
            _copy(cur, "regions", REGION_COLUMNS, region_rows(tree)),
            _copy(cur, "communities", COMMUNITY_COLUMNS, comms),
            _copy(cur, "users", USER_COLUMNS, users),
            _copy(cur, "responsibilities", ("target_code", "region_id", "community_id", "kind", "user_id"),
                  _responsibilities(tree, uid, comms)),
            _copy(cur, "campaigns", CAMPAIGN_COLUMNS, (c.row() for c in camps)),
            _copy(cur, "elections", ELECTION_COLUMNS, planner.elections),
            _copy(cur, "community_orders", ("campaign_id", "community_id", "order_value"), planner.orders)))
        cur.execute(PLAN_DDL)
        cur.execute("CREATE TEMPORARY TABLE fplan (body text, key text, krank integer, ord integer, kind text, "
                    "recorder text)")
        _copy(cur, "plan", PLAN_COLUMNS, planner.plan)
        _copy(cur, "fplan", ("body", "key", "krank", "ord", "kind", "recorder"), Q.fact_plan())
        cur.execute("ANALYZE plan")
        restore = _defer_constraints(cur, BULK_TABLES)
        for name, sql in (("facts", Q.FACTS_SQL), ("candidates", Q.CANDIDATES_SQL), ("rounds", Q.ROUNDS_SQL),
                          ("certificates", Q.CERTIFICATES_SQL), ("complaints", Q.COMPLAINTS_SQL),
                          ("dossiers", Q.DOSSIERS_SQL), ("incidents", Q.INCIDENTS_SQL)):
            _step(echo, name, lambda sql=sql: cur.execute(sql), cur)
            cur.execute(f"ANALYZE {name}")
        for k in range(len(MAIN_PATH)):
            _step(echo, f"history of {MAIN_PATH[k]}", lambda k=k: cur.execute(Q.audit_sql(k)), cur)
        for sql in Q.AFTER_SQL:
            cur.execute(sql)
        _step(echo, "indexes and foreign keys", lambda: [cur.execute(sql) for sql in restore])
        for table in ("regions", "communities", "users", "campaigns", "elections", "rounds"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
    _step(echo, "history hashes (migration 0003's backfill)", lambda: hash_history(db))
    with psycopg.connect(conninfo, autocommit=True) as conn:
        _step(echo, "vacuum analyze", lambda: conn.execute("VACUUM ANALYZE"))
    if sweep:
        _sweep(db, echo)
        with psycopg.connect(conninfo, autocommit=True) as conn:  # fresh statistics even where autovacuum is off
            conn.execute("ANALYZE")
    counts = row_counts(db)
    echo("rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    if check:
        problems = verify(db, check, rng)
        echo(f"checked {check} random elections against the guards: "
             + ("all consistent" if not problems else f"{len(problems)} problems, e.g. {problems[:3]}"))
        if problems:
            raise SystemExit(1)
    echo(f"generated in {time.perf_counter() - started:.0f} s")
    db.dispose()
    return counts


def _defer_constraints(cur: psycopg.Cursor[Any], tables: tuple[str, ...]) -> list[str]:
    """Drop the secondary indexes, unique and foreign keys of the bulk tables; return the DDL that restores them.

    Building an index once after the load is several times faster than maintaining it row by row.
    """
    restore: list[str] = []
    cur.execute("SELECT conname, conrelid::regclass::text, pg_get_constraintdef(oid), contype FROM pg_constraint "
                "WHERE contype IN ('u', 'f') AND conrelid::regclass::text = ANY(%s) ORDER BY contype DESC",
                (list(tables),))
    for name, table, definition, _kind in cur.fetchall():
        restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND schemaname = 'public' "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint)", (list(tables),))
    for name, definition in cur.fetchall():
        restore.insert(0, definition)
        cur.execute(f'DROP INDEX "{name}"')
    return restore


def _step(echo: Callable[[str], Any], name: str, fn: Callable[[], Any], cur: Any = None) -> None:
    start = time.perf_counter()
    fn()
    rows = f" ({cur.rowcount:,} rows)" if cur is not None and cur.rowcount and cur.rowcount > 0 else ""
    echo(f"  {name}{rows}: {time.perf_counter() - start:.1f} s")


def _sweep(db: Database, echo: Callable[[str], Any]) -> None:
    """Run the overdue sweep once, as the scheduler would have, so escalations and notifications exist."""
    try:
        from workflow.services.sweep import sweep_overdue
    except ImportError as exc:  # the sweep service is optional for the generator
        echo(f"  sweep skipped ({exc})")
        return
    start = time.perf_counter()
    result = sweep_overdue(db)
    echo(f"  sweep: {result} in {time.perf_counter() - start:.1f} s")


def row_counts(db: Database) -> dict[str, int]:
    """Return the row count of the main tables."""
    names = ("regions", "communities", "users", "responsibilities", "elections", "facts", "candidates", "rounds",
             "certificates", "complaints", "dossiers", "incidents", "escalations", "notifications", "audit_events")
    with db.engine.connect() as conn:
        return {n: int(conn.scalar(text(f"SELECT count(*) FROM {n}"))) for n in names}


def verify(db: Database, sample: int, rng: random.Random) -> list[str]:
    """Check sampled elections: the guards of every state they left hold; ready ones may leave their state."""
    from workflow.models import Election
    from workflow.services.elections import snapshot
    problems: list[str] = []
    with db.uow(write=False) as uow:
        s = uow.session
        top = s.scalar(text("SELECT max(id) FROM elections")) or 0
        ids = sorted(rng.sample(range(1, top + 1), min(sample, top)))
        for e in s.scalars(select(Election).where(Election.id.in_(ids))):
            ctx = snapshot(s, e)
            reached = e.suspended_from if e.state == "suspended" else e.state
            for state in MAIN_PATH[:MAIN_PATH.index(reached)]:
                unmet = [u.code for u in G.unmet(DEFINITIONS[e.body].guards(LEAVING[state]), ctx)]
                if unmet:
                    problems.append(f"election {e.id} ({e.body}, {reached}) left {state} without {unmet}")
            if e.version != 1 + MAIN_PATH.index(reached) + int(e.village_law) + int(e.state == "suspended"):
                problems.append(f"election {e.id}: version {e.version}")
    return problems


def ready_share(db: Database, sample: int = 2000, seed: int = 1) -> float:
    """Return the share of sampled active elections whose leaving guards all hold (ready to move on)."""
    from workflow.models import Election
    from workflow.services.elections import snapshot
    rng = random.Random(seed)
    ready = seen = 0
    with db.uow(write=False) as uow:
        s = uow.session
        top = s.scalar(text("SELECT max(id) FROM elections")) or 0
        ids = rng.sample(range(1, top + 1), min(sample, top))
        for e in s.scalars(select(Election).where(Election.id.in_(ids), Election.state.in_(list(LEAVING)))):
            seen += 1
            ctx = snapshot(s, e)
            unmet = {u.code for u in G.unmet(DEFINITIONS[e.body].guards(LEAVING[e.state]), ctx)} - ORDER_GUARDS
            ready += not unmet
    return ready / max(seen, 1)


def hash_history(db: Database, batch: int = 20_000) -> int:
    """Hash the generated history in id order with the migration's own set-wise backfill (rows went in by SQL)."""
    import importlib.util
    from pathlib import Path
    path = next((Path(__file__).resolve().parent.parent / "migrations" / "versions").glob("*_history_hashes.py"))
    spec = importlib.util.spec_from_file_location("history_hashes_migration", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ALTER TABLE audit_events DISABLE TRIGGER audit_no_change")
        done = int(module.backfill(conn, batch=batch, commit=conn.commit))
        conn.exec_driver_sql("ALTER TABLE audit_events ENABLE TRIGGER audit_no_change")
        conn.commit()
    return done


def main(argv: Optional[list[str]] = None) -> None:
    """Command line: generate the national data set."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--communities", type=int, default=120_000)
    ap.add_argument("--url", help="an empty PostgreSQL database (default: create huanjie_national_<N>)")
    ap.add_argument("--replace", action="store_true", help="drop and recreate the default database if it exists")
    ap.add_argument("--seed", type=int, default=2014)
    ap.add_argument("--no-sweep", action="store_true", help="do not run the overdue sweep at the end")
    ap.add_argument("--check", type=int, default=400, help="elections to check against the guards (0: none)")
    args = ap.parse_args(argv)
    if args.communities < 100:
        ap.error("--communities must be at least 100")
    url, name = args.url, None
    if not url:
        name = national_name(args.communities)
        if database_exists(name):
            if not args.replace:
                ap.error(f"database {name} exists; pass --replace to rebuild it")
            from .common import drop_database
            drop_database(name)
        url = create_database(name)
    generate(url, args.communities, seed=args.seed, sweep=not args.no_sweep, check=args.check)
    if name:
        mark_database(name, args.communities)
        print(f"ready: {pg_url(name)}")


if __name__ == "__main__":
    main()
