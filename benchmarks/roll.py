"""The voter roll at city scale on PostgreSQL: import, a raw COPY baseline, memory, the roll page and the PDF.

    python -m benchmarks.roll [--communities 400] [--per-community 2500] [--big 5000] [--requests 20]

On a throwaway database: one city with `communities` communities under a national-2026 campaign. Each roll is
imported from its own CSV file (GB18030 for every other one) through the service (`import_voters`: every row
checked as registration checks it, the duplicate check inside the file and against every roll of the campaign
by one indexed lookup per batch, COPY per batch). Reported: rows/s of the import, and of a raw COPY of the same
rows into the same table in the same run (the table emptied and the rows copied back from a dump of it); the
process's peak resident memory (VmHWM) after the first 100,000 rows and at the end. Then one community of `big`
voters: the roll page (UI, 50 a page) and the API list, p50/p95 over `requests` requests, the publication of its
voter list (HTML and PDF rendered, seconds) and the stored PDF's download.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .common import load_average, proc_status_kb, save_json, throwaway_database

HEADER = "姓名,性别,身份证号,户,居民小组,类别\n"
BASE = dt.date(1940, 1, 1)


def write_csv(path: Path, start: int, n: int, encoding: str) -> None:
    """Write n voters numbered from start: distinct valid id numbers (birth day and sequence from the number)."""
    from workflow.identity import make_id_number
    lines = [HEADER]
    for i in range(start, start + n):
        born = BASE + dt.timedelta(days=i // 1000)
        lines.append(f"居民{i},{'男' if i % 2 else '女'},{make_id_number('210102', born, i % 1000)},"
                     f"H{i // 2},第{i % 8 + 1}居民小组,户籍\n")
    path.write_text("".join(lines), encoding=encoding)


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def setup(url: str, communities: int) -> list[int]:
    """Regions, communities (set-wise), a launched national-2026 campaign, election day on every residents' roll."""
    from sqlalchemy import insert, select

    from workflow.auth import SYSTEM
    from workflow.db import Database
    from workflow.models import Campaign, Community, Election, Region
    from workflow.schema import upgrade
    from workflow.services.campaigns import create_campaign, launch_campaign
    from workflow.services.election_data import record_facts
    from workflow.services.structure import create_region
    db = Database(url)
    upgrade(db.engine)
    with db.uow() as w:
        for code, name, level, parent in (("210000", "辽宁省", "province", None), ("210100", "沈阳市", "city", "210000"),
                                          ("210102", "和平区", "county", "210100"),
                                          ("210102001", "太原街街道", "street", "210102")):
            create_region(w, SYSTEM, code, name, level, parent)
    with db.uow() as w:
        street = w.session.scalar(select(Region).where(Region.code == "210102001"))
        w.session.execute(insert(Community), [
            {"code": f"210102001{i:03d}", "name": f"第{i}社区", "street_id": street.id, "county_id": street.county_id,
             "city_id": street.city_id, "province_id": street.province_id, "households": 1000, "voters": 2500}
            for i in range(1, communities + 2)])
    day = dt.date.today() + dt.timedelta(days=40)
    with db.uow() as w:
        states = ("preparation", "nomination", "candidate_meeting", "voting", "certification", "handover", "summary")
        create_campaign(w, SYSTEM, "CN-BENCH", "基准", "national-2026", "210100", "concurrent",
                        {st: (day + dt.timedelta(days=i * 10 - 20)).isoformat() for i, st in enumerate(states)})
        launch_campaign(w, SYSTEM, "CN-BENCH")
    with db.uow(write=False) as w:
        ids = [e for (e,) in w.session.execute(select(Election.id).join(Community).join(Campaign).where(
            Election.body == "residents").order_by(Community.code))]
    for e in ids:
        with db.uow() as w:
            record_facts(w, SYSTEM, e, {"election_day": day.isoformat(), "election_mode": "direct"})
    db.dispose()
    return ids


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--communities", type=int, default=400)
    ap.add_argument("--per-community", type=int, default=2500)
    ap.add_argument("--big", type=int, default=5000)
    ap.add_argument("--requests", type=int, default=20)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    os.environ.setdefault("HUANJIE_IDENTITY_KEY", "bench-identity-key")

    from workflow.auth import SYSTEM
    from workflow.db import Database
    from workflow.services.voters_io import import_voters
    out: dict[str, Any] = {"load": load_average()}
    with throwaway_database(prefix="huanjie_bench_roll") as url, tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        ids = setup(url, args.communities)
        print(f"set-up: {args.communities + 1} communities, campaign, election days ({time.perf_counter() - t0:.1f} s)")
        db = Database(url)
        folder = Path(tmp)
        done, elapsed, marks = 0, 0.0, {}
        for k, e in enumerate(ids[:args.communities]):
            path = folder / f"c{k}.csv"
            write_csv(path, k * args.per_community, args.per_community, "gb18030" if k % 2 else "utf-8")
            started = time.perf_counter()
            with path.open("rb") as fh, db.uow() as w:
                import_voters(w, SYSTEM, e, fh, path.name)
            elapsed += time.perf_counter() - started
            path.unlink()
            done += args.per_community
            if done >= 100_000 and "100k" not in marks:
                marks["100k"] = proc_status_kb(os.getpid(), "VmHWM") / 1024
                print(f"  {done:,} rows, {done / elapsed:,.0f} rows/s, peak {marks['100k']:.0f} MiB")
        marks["end"] = proc_status_kb(os.getpid(), "VmHWM") / 1024
        out.update(rows=done, import_seconds=round(elapsed, 1), import_rows_per_s=round(done / elapsed),
                   peak_mib_100k=round(marks.get("100k", marks["end"])), peak_mib_end=round(marks["end"]))
        print(f"import: {done:,} rows in {elapsed:.1f} s = {done / elapsed:,.0f} rows/s; "
              f"peak memory {marks.get('100k', 0):.0f} MiB at 100k, {marks['end']:.0f} MiB at {done:,}")
        # the baseline: the same rows, COPY into the same table (emptied), from a dump taken of it
        dump = folder / "voters.copy"
        raw = db.engine.raw_connection()
        try:
            cur = raw.cursor()
            with dump.open("wb") as fh, cur.copy("COPY voters TO STDOUT") as copy:
                for chunk in copy:
                    fh.write(chunk)
            cur.execute("TRUNCATE voters CASCADE")
            raw.commit()
            started = time.perf_counter()
            with dump.open("rb") as fh, cur.copy("COPY voters FROM STDIN") as copy:
                while chunk := fh.read(1 << 20):
                    copy.write(chunk)
            raw.commit()
            copy_s = time.perf_counter() - started
        finally:
            raw.close()
        out.update(copy_seconds=round(copy_s, 1), copy_rows_per_s=round(done / copy_s),
                   import_vs_copy=round(elapsed / copy_s, 2))
        print(f"raw COPY of the same rows: {copy_s:.1f} s = {done / copy_s:,.0f} rows/s; "
              f"the import takes {elapsed / copy_s:.1f}x (goal: within 3x)")
        big = ids[args.communities]
        path = folder / "big.csv"
        write_csv(path, 10_000_000, args.big, "utf-8")
        with path.open("rb") as fh, db.uow() as w:
            import_voters(w, SYSTEM, big, fh, path.name)
        out.update(_pages(url, big, args.requests))
        db.dispose()
    print(f"load average {out['load']}")
    save_json(args.json, out)


def _pages(url: str, election: int, n: int) -> dict[str, Any]:
    """The roll page and the API list of the big community (p50/p95), its voter list's publication and PDF."""
    from web import create_app
    from workflow.db import Database
    from workflow.services.tokens import create_token
    from workflow.models import User
    from workflow.passwords import hash_password
    db = Database(url)
    with db.uow() as w:
        w.session.add(User(username="benchadmin", password_hash=hash_password("bench-pass-1"), role="admin"))
    app = create_app({"DATABASE": db, "TESTING": True, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    client.post("/login", data={"username": "benchadmin", "password": "bench-pass-1"})
    with db.uow() as w:
        user = w.session.query(User).filter_by(username="benchadmin").one()
        token, _ = create_token(w, user)
    hdr = {"Authorization": f"Bearer {token}"}
    figures: dict[str, Any] = {}
    for name, fetch in (("roll_page", lambda i: client.get(f"/elections/{election}/roll?page={1 + i * 7 % 100}")),
                        ("api_list", lambda i: client.get(f"/api/v1/elections/{election}/voters?page={1 + i % 100}",
                                                          headers=hdr))):
        times = []
        for i in range(n):
            t = time.perf_counter()
            r = fetch(i)
            times.append(time.perf_counter() - t)
            assert r.status_code == 200, (name, r.status_code)
        figures[f"{name}_p50_ms"] = round(statistics.median(times) * 1000, 1)
        figures[f"{name}_p95_ms"] = round(p(times, 0.95) * 1000, 1)
        print(f"{name} (5,000 voters, 50 a page): p50 {figures[f'{name}_p50_ms']} ms, p95 {figures[f'{name}_p95_ms']} ms")
    t = time.perf_counter()
    r = client.post(f"/api/v1/elections/{election}/announcements", json={"kind": "voter_list"}, headers=hdr)
    figures["voter_list_publish_s"] = round(time.perf_counter() - t, 1)
    assert r.status_code == 201, r.get_json()
    pdf = r.get_json()["pdf"]
    times = []
    for _ in range(max(3, n // 4)):
        t = time.perf_counter()
        doc = client.get(pdf, headers=hdr)
        times.append(time.perf_counter() - t)
    figures["pdf_bytes"] = len(doc.data)
    figures["pdf_download_p95_ms"] = round(p(times, 0.95) * 1000, 1)
    print(f"voter list of 5,000 published (HTML + PDF rendered): {figures['voter_list_publish_s']} s; "
          f"PDF {len(doc.data) / 1024:.0f} KiB, download p95 {figures['pdf_download_p95_ms']} ms")
    db.dispose()
    return figures


if __name__ == "__main__":
    sys.exit(main())
