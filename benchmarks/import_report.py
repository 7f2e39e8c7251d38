"""Import 100,000 communities from CSV and from XLSX into a throwaway PostgreSQL database, then compute the
province-level summary report over them; print seconds and peak memory of each step.

    python -m benchmarks.import_report                     # 100,000 communities
    python -m benchmarks.import_report --communities 20000 --no-tracemalloc

Each step runs in its own child process, so its peak resident memory (ru_maxrss) is its own; a second run of
the imports under tracemalloc gives the peak of Python allocations (tracemalloc slows the run down, so its
times are not reported).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DIVISIONS = ROOT / "workflow" / "data" / "liaoning-divisions.csv"
STREETS_PER_COUNTY = 10
HEADER = ["社区代码", "社区名称", "街道代码", "户数", "登记选民数", "党组织类型", "党员数", "城乡结合部", "撤村建居",
          "集体产权改革已完成", "外来人口聚集", "新建住宅区", "其他风险"]
DUE = {"preparation": "2014-12-31", "nomination": "2015-01-20", "candidate_meeting": "2015-02-10",
       "voting": "2015-03-10", "certification": "2015-03-20", "handover": "2015-03-31", "summary": "2015-04-05"}


# ---------------------------------------------------------------- data files
def counties() -> list[str]:
    with DIVISIONS.open(encoding="utf-8") as fh:
        return [row["code"] for row in csv.DictReader(fh) if row["level"] == "county"]


def write_files(folder: Path, communities: int) -> dict[str, Path]:
    """Write the streets file and the same communities as CSV (GB18030, as Chinese Excel saves) and XLSX.

    The XLSX is written like Excel writes it (shared strings, a <dimension>), so it is built in memory;
    openpyxl's write-only files (inline strings, no dimension) read about twice as slowly.
    """
    from openpyxl import Workbook
    rng = random.Random(2014)
    streets = [f"{c}{n:03d}" for c in counties() for n in range(1, STREETS_PER_COUNTY + 1)]
    paths = {"streets": folder / "streets.csv", "csv": folder / "communities.csv", "xlsx": folder / "communities.xlsx"}
    with paths["streets"].open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["区划代码", "名称", "级别", "上级代码"])
        for code in streets:
            w.writerow([code, f"第{code[-3:]}街道", "街道", code[:6]])
    per_street = -(-communities // len(streets))
    wb = Workbook()
    ws = wb.active
    ws.title = "社区"
    ws.append(HEADER)
    with paths["csv"].open("w", encoding="gb18030", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        n = 0
        for street in streets:
            for k in range(1, per_street + 1):
                if n == communities:
                    break
                n += 1
                row = [f"{street}{k:03d}", f"第{k}社区", street, rng.randint(300, 5000), rng.randint(600, 9000),
                       rng.choice(("党委", "党总支", "党支部")), rng.randint(20, 400),
                       *[("是" if rng.random() < p else "否") for p in (0.08, 0.06, 0.5, 0.05, 0.07)],
                       "信访积案" if rng.random() < 0.01 else ""]
                w.writerow(row)
                ws.append(row)
    wb.save(paths["xlsx"])
    return paths


# ---------------------------------------------------------------- steps (each in a child process)
def current_rss_mb() -> float:
    """Return the resident set size of this process now (Linux)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def peak_rss_mb() -> float:
    """Return the peak resident set size of this process.

    VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec, so a child
    would report the parent's peak (here: the workbook built in memory by the parent).
    """
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measured(fn: Any, trace: bool) -> dict[str, Any]:
    """Run fn, returning its result with wall seconds, peak RSS and (when tracing) the tracemalloc peak."""
    rss_before = current_rss_mb()  # resident now, every module loaded: the baseline of the step
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    out = {"result": result, "seconds": round(seconds, 2), "rss_before_mb": round(rss_before, 1),
           "maxrss_mb": round(peak_rss_mb(), 1)}
    if trace:
        out["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    return out


def step(name: str, url: str, path: str, trace: bool) -> dict[str, Any]:
    import openpyxl  # noqa: F401  (every module is loaded before the measurement starts)

    from workflow.auth import SYSTEM
    from workflow.db import Database
    from workflow.services import imports, report_files, reports  # noqa: F401
    db = Database(url)
    try:
        if name in ("regions", "import"):
            kind = "regions" if name == "regions" else "communities"

            def run() -> Any:
                with open(path, "rb") as fh, db.uow() as uow:
                    from workflow.services.imports import import_file
                    return import_file(uow, SYSTEM, kind, fh, Path(path).name)
            return measured(run, trace)
        if name == "truncate":
            from sqlalchemy import text
            with db.engine.begin() as conn:
                conn.execute(text("TRUNCATE communities RESTART IDENTITY CASCADE"))
            return {"result": "ok"}
        if name == "campaign":
            return measured(lambda: shape_campaign(db), False)
        if name == "report":
            return measured(lambda: report(db, path), trace)
        raise SystemExit(f"unknown step {name}")
    finally:
        db.dispose()


def shape_campaign(db: Any) -> dict[str, Any]:
    """Launch a province-wide campaign and spread its elections over the states with elected people (bulk SQL)."""
    from sqlalchemy import text

    from workflow import clock
    from workflow.auth import SYSTEM
    from workflow.services.campaigns import create_campaign, launch_campaign
    clock.freeze(dt.datetime(2015, 1, 5, 4, tzinfo=dt.timezone.utc))
    with db.uow() as uow:
        create_campaign(uow, SYSTEM, "LN2014", "辽宁省2014年社区换届", "liaoning-2014", "210000", "party_first", DUE)
        created = launch_campaign(uow, SYSTEM, "LN2014")
    states = ["preparation", "nomination", "candidate_meeting", "voting", "certification", "handover", "summary",
              "closed", "closed", "closed", "suspended"]
    cases = " ".join(f"WHEN {i} THEN '{s}'" for i, s in enumerate(states))
    with db.engine.begin() as conn:
        conn.execute(text(f"UPDATE elections SET state = CASE (id * 7919) % {len(states)} {cases} END, "
                          "due_on = DATE '2014-12-31' + ((id % 120) * INTERVAL '1 day'), "
                          "village_law = (id % 37 = 0)"))
        conn.execute(text("INSERT INTO facts (election_id, key, value, recorded_at) SELECT id, 'election_mode', "
                          "CASE id % 10 WHEN 0 THEN '\"representative\"' WHEN 1 THEN '\"representative\"' "
                          "WHEN 2 THEN '\"household\"' WHEN 3 THEN '\"household\"' ELSE '\"direct\"' END::json, now() "
                          "FROM elections WHERE body = 'residents'"))
        conn.execute(text(
            "INSERT INTO candidates (election_id, name, post, gender, birth_year, education, party_member, full_member,"
            " qualified, on_election_committee, presented, background, graduate_recruit, withdrawn, disqualified,"
            " voided, elected, created_at) "
            "SELECT e.id, '候选人' || g, CASE WHEN e.body = 'party' THEN 'member' WHEN g = 1 THEN 'director' "
            " WHEN g = 2 THEN 'deputy_director' ELSE 'member' END, CASE WHEN (e.id + g) % 2 = 0 THEN 'f' ELSE 'm' END,"
            " 1955 + (e.id * 13 + g * 7) % 38, (ARRAY['研究生','本科','大专','中专','高中'])[1 + (e.id + g) % 5],"
            " e.body = 'party' OR g % 3 <> 0, true, true, false, true,"
            " (ARRAY['community_worker','dispatched_cadre','retired_cadre','notable','other'])[1 + (e.id * g) % 5],"
            " (e.id + g) % 7 = 0, false, false, (e.id + g) % 97 = 0, true, now() "
            "FROM elections e CROSS JOIN generate_series(1, 7) AS g "
            "WHERE e.state IN ('certification', 'handover', 'summary', 'closed')"))
        conn.execute(text(
            "INSERT INTO complaints (election_id, community_id, category, summary, received_on, due_on, filed_at,"
            " outcome, resolved_at) SELECT id, community_id, (ARRAY['bribery','improper_competition','interference',"
            "'procedure','other'])[1 + id % 5], '举报', DATE '2014-12-20', DATE '2015-01-19', now(),"
            " CASE WHEN id % 3 = 0 THEN 'unfounded' END, CASE WHEN id % 3 = 0 THEN now() END "
            "FROM elections WHERE id % 50 = 0"))
        conn.execute(text(
            "INSERT INTO dossiers (community_id, cause, due_on, status, opened_at, automatic) "
            "SELECT id, '人选难定', DATE '2015-01-01' + (id % 30), CASE WHEN id % 4 = 0 THEN 'resolved' ELSE 'open' END,"
            " now(), false FROM communities WHERE id % 200 = 0"))
        counts = {name: conn.scalar(text(f"SELECT count(*) FROM {name}"))
                  for name in ("elections", "facts", "candidates", "complaints", "dossiers")}
        conn.execute(text("ANALYZE"))
    return {"launched": created, **counts}


def report(db: Any, out_dir: str) -> dict[str, Any]:
    from workflow import clock
    from workflow.auth import SYSTEM
    from workflow.services.report_files import write_report_xlsx
    from workflow.services.reports import build_report
    clock.freeze(dt.datetime(2015, 1, 5, 4, tzinfo=dt.timezone.utc))
    timings = {}
    for code in ("210000", "210100"):
        start = time.perf_counter()
        with db.uow(write=False) as uow:
            data = build_report(uow, SYSTEM, "LN2014", code)
        timings[f"report_{code}_s"] = round(time.perf_counter() - start, 2)
        start = time.perf_counter()
        with open(Path(out_dir) / f"report-{code}.xlsx", "wb") as fh:
            write_report_xlsx(data, fh)
        timings[f"xlsx_{code}_s"] = round(time.perf_counter() - start, 2)
        timings[f"communities_{code}"] = data["totals"]["communities"]
        timings[f"elected_{code}"] = (data["totals"]["structure"]["party"]["elected"]
                                      + data["totals"]["structure"]["residents"]["elected"])
    return timings


# ---------------------------------------------------------------- orchestration
def child(name: str, url: str, path: str = "", trace: bool = False) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.import_report", "--step", name, "--url", url, "--path", path]
    if trace:
        cmd.append("--trace")
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"step {name} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--communities", type=int, default=100_000)
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the tracemalloc runs")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--path", default="", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(args.step, args.url, args.path, args.trace), ensure_ascii=False, default=str))
        return
    from benchmarks.common import load_average, throwaway_database
    from workflow.db import Database
    from workflow.schema import upgrade
    with tempfile.TemporaryDirectory() as tmp, throwaway_database(prefix="huanjie_bench_import") as url:
        folder = Path(tmp)
        start = time.perf_counter()
        files = write_files(folder, args.communities)
        print(f"files for {args.communities:,} communities written in {time.perf_counter() - start:.1f} s: "
              f"CSV {files['csv'].stat().st_size / 2**20:.1f} MB (GB18030), XLSX {files['xlsx'].stat().st_size / 2**20:.1f} MB")
        db = Database(url)
        upgrade(db.engine)
        db.dispose()
        rows = []
        print(f"load average at start: {load_average()}")
        regions = child("regions", url, str(DIVISIONS))
        streets = child("regions", url, str(files["streets"]))
        rows.append(("regions (divisions + streets)", regions["seconds"] + streets["seconds"],
                     streets["rss_before_mb"], max(regions["maxrss_mb"], streets["maxrss_mb"]), streets["result"]))
        for fmt in ("csv", "xlsx"):
            child("truncate", url)
            first = child("import", url, str(files[fmt]))
            rows.append((f"import {fmt.upper()} (new)", first["seconds"], first["rss_before_mb"], first["maxrss_mb"],
                         first["result"]))
            again = child("import", url, str(files[fmt]))
            rows.append((f"import {fmt.upper()} (same file again)", again["seconds"], again["rss_before_mb"],
                         again["maxrss_mb"], again["result"]))
        traced = {}
        if not args.no_tracemalloc:
            for fmt in ("csv", "xlsx"):
                child("truncate", url)
                traced[fmt] = child("import", url, str(files[fmt]), trace=True)["tracemalloc_peak_mb"]
        shaped = child("campaign", url)
        rows.append(("launch + shape campaign (setup)", shaped["seconds"], shaped["rss_before_mb"], shaped["maxrss_mb"],
                     shaped["result"]))
        rep = child("report", url, tmp, trace=False)
        rows.append(("province + city report (build + xlsx)", rep["seconds"], rep["rss_before_mb"], rep["maxrss_mb"],
                     rep["result"]))
        if not args.no_tracemalloc:
            traced["report"] = child("report", url, tmp, trace=True)["tracemalloc_peak_mb"]
        print(f"load average at end: {load_average()}")
    print(f"\n{'step':<42}{'seconds':>9}{'RSS before':>12}{'peak RSS':>10}  (MB)  result")
    print("(RSS before: resident size once every module is loaded; peak RSS: VmHWM of the step's process)")
    for label, seconds, before, rss, result in rows:
        print(f"{label:<42}{seconds:>9.2f}{before:>12.1f}{rss:>10.1f}        {json.dumps(result, ensure_ascii=False)}")
    if traced:
        print("\ntracemalloc peak (Python allocations, MB): "
              + ", ".join(f"{k} {v}" for k, v in traced.items()))


if __name__ == "__main__":
    main()
