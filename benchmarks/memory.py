"""Peak memory of a web worker under load and of the scheduler, at 30,000 and at 120,000 communities.

    python -m benchmarks.memory [--sizes 30000,120000] [--requests 2000] [--scheduler-seconds 75]

For each size, on a throwaway copy of the national data set:
- web: `huanjie serve` (waitress, 8 threads) under 8 clients sending a mix over random regions and elections:
  worklists, dashboards at every level, API lists, election pages, histories and transitions. Reported: the
  resident memory after start-up, and the peak (VmHWM) after the load.
- scheduler: `huanjie scheduler` with a sweep every 15 s after the escalations are emptied, so the first sweep
  raises every rung at once (the heaviest), then ordinary sweeps and the start-up bulletin. Reported: the peak.
Memory must not grow with the data: the peaks at 120,000 should be close to those at 30,000.
"""
from __future__ import annotations

import argparse
import os
import queue
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from typing import Any, Optional

import requests
from sqlalchemy import create_engine, text

from .common import (ROOT, Server, api_session, ensure_national, load_average, national_name, proc_status_kb,
                     save_json, throwaway_database, ui_session)
from .transitions_http import ready_elections, tokens_for


def _pick(url: str, seed: int = 7) -> dict[str, list[Any]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        def codes(level: str, n: int) -> list[str]:
            return [r[0] for r in conn.execute(text(
                "SELECT code FROM regions WHERE level = :l ORDER BY md5(code || :s) LIMIT :n"),
                {"l": level, "s": str(seed), "n": n})]
        picked = {"province": codes("province", 8), "city": codes("city", 60), "county": codes("county", 200),
                  "street": codes("street", 400),
                  "election": [r[0] for r in conn.execute(text(
                      "SELECT id FROM elections ORDER BY md5(id::text || :s) LIMIT 2000"), {"s": str(seed)})]}
    engine.dispose()
    return picked


def web_load(url: str, total: int, clients: int = 8) -> dict[str, Any]:
    """Start a server, send the mixed load, return its memory figures (KiB)."""
    picked = _pick(url)
    ready = ready_elections(url, total // 8)
    with Server(url) as server:
        base = server.base
        time.sleep(1)
        idle = proc_status_kb(server.pid, "VmRSS")
        province_ui = {p: ui_session(base, f"prov{p}") for p in picked["province"][:4]}
        cadres = [ui_session(base, f"cadre{s}") for s in picked["street"][:6]]
        admin_ui = ui_session(base, "admin")
        admin_api = api_session(base, "admin")
        tokens = tokens_for(url, {w[4] for w in ready})
        jobs: "queue.Queue[tuple[requests.Session, str, str, Any]]" = queue.Queue()
        rng = random.Random(1)
        provinces = list(province_ui)
        prefixes = {p[:2] for p in provinces}
        inside = [r for r in picked["city"] + picked["county"] + picked["street"] if r[:2] in prefixes]
        for i in range(total):
            kind = i % 8
            if kind == 0:
                jobs.put((rng.choice(cadres), "GET", "/", None))
            elif kind == 1 and inside:
                region = rng.choice(inside)
                owner = next(p for p in provinces if p[:2] == region[:2])
                jobs.put((province_ui[owner], "GET", f"/supervise?region={region}", None))
            elif kind == 2:
                jobs.put((province_ui[rng.choice(provinces)], "GET", "/supervise", None))
            elif kind == 3:
                jobs.put((admin_api, "GET", f"/api/v1/communities?region={rng.choice(picked['county'])}", None))
            elif kind == 4:
                jobs.put((admin_ui, "GET", f"/elections/{rng.choice(picked['election'])}", None))
            elif kind == 5:
                jobs.put((admin_api, "GET", f"/api/v1/elections/{rng.choice(picked['election'])}/history", None))
            elif kind == 6:
                jobs.put((admin_api, "GET", f"/api/v1/escalations?open=true&region={rng.choice(picked['county'])}",
                          None))
            elif ready:
                eid, version, trigger, _b, uid = ready.pop()
                jobs.put((requests.Session(), "POST", f"/api/v1/elections/{eid}/transitions",
                          ({"trigger": trigger, "version": version}, tokens[uid])))
        statuses: dict[int, int] = {}
        samples: list[int] = []
        lock = threading.Lock()

        def client() -> None:
            while True:
                try:
                    session, method, path, extra = jobs.get_nowait()
                except queue.Empty:
                    return
                if method == "POST":
                    body, tok = extra
                    r = session.post(base + path, json=body, headers={"Authorization": f"Bearer {tok}"}, timeout=120)
                else:
                    r = session.get(base + path, timeout=120)
                with lock:
                    statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

        def sampler(stop: threading.Event) -> None:
            while not stop.is_set():
                samples.append(proc_status_kb(server.pid, "VmRSS"))
                time.sleep(0.5)
        stop = threading.Event()
        watch = threading.Thread(target=sampler, args=(stop,))
        watch.start()
        start = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - start
        stop.set()
        watch.join()
        peak = proc_status_kb(server.pid, "VmHWM")
        end = proc_status_kb(server.pid, "VmRSS")
    return {"idle_kb": idle, "peak_kb": peak, "end_kb": end, "requests": total, "seconds": seconds,
            "statuses": statuses, "rss_samples_kb": samples[::4]}


def scheduler_load(url: str, seconds: float) -> dict[str, Any]:
    """Run `huanjie scheduler` (sweep every 15 s, escalations emptied first) and return its peak memory (KiB)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE escalations, notifications"))
        conn.execute(text("ANALYZE escalations"))
    engine.dispose()
    instance = tempfile.mkdtemp(prefix="huanjie-bench-sched-")
    env = {**os.environ, "HUANJIE_DATABASE_URL": url, "HUANJIE_INSTANCE": instance, "HUANJIE_SWEEP_MINUTES": "0.25",
           "HUANJIE_SECRET_KEY": uuid.uuid4().hex, "PYTHONPATH": str(ROOT)}
    log = open(os.path.join(instance, "scheduler.log"), "wb")
    proc = subprocess.Popen([sys.executable, "-m", "huanjie.cli", "scheduler"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    samples = []
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and proc.poll() is None:
            samples.append(proc_status_kb(proc.pid, "VmRSS"))
            time.sleep(0.5)
        if proc.poll() is not None:
            raise RuntimeError(f"the scheduler exited: {open(log.name, errors='replace').read()[-2000:]}")
        peak = proc_status_kb(proc.pid, "VmHWM")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()
    sweeps = open(log.name, errors="replace").read().count("raised")
    settled = samples[4:] or samples  # after the first two seconds: imports done, connected
    return {"peak_kb": peak, "start_kb": min(settled) if settled else None, "seconds": seconds,
            "log_lines_with_raised": sweeps, "rss_samples_kb": samples[::4]}


def main(argv: Optional[list[str]] = None) -> None:
    """Command line: peak memory of the web worker and the scheduler at two data sizes."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="30000,120000")
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--scheduler-seconds", type=float, default=75.0)
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    figures: dict[str, Any] = {"load_before": load_average()}
    for size in (int(x) for x in args.sizes.split(",")):
        ensure_national(size)
        with throwaway_database(template=national_name(size)) as url:
            web = web_load(url, args.requests)
            sched = scheduler_load(url, args.scheduler_seconds)
        figures[str(size)] = {"web": web, "scheduler": sched}
        print(f"{size:>7} communities: web worker RSS idle {web['idle_kb'] / 1024:.0f} MiB, peak "
              f"{web['peak_kb'] / 1024:.0f} MiB after {web['requests']} requests in {web['seconds']:.0f} s "
              f"{web['statuses']}; scheduler peak {sched['peak_kb'] / 1024:.0f} MiB "
              f"(lowest {((sched['start_kb'] or 0) / 1024):.0f} MiB, over {args.scheduler_seconds:.0f} s)")
    sizes = [k for k in figures if k.isdigit()]
    if len(sizes) == 2:
        a, b = (figures[k] for k in sizes)
        print(f"growth {sizes[0]} → {sizes[1]}: web peak ×{b['web']['peak_kb'] / a['web']['peak_kb']:.2f}, "
              f"scheduler peak ×{b['scheduler']['peak_kb'] / a['scheduler']['peak_kb']:.2f}")
    figures["load_after"] = load_average()
    print(f"machine load before {figures['load_before']}, after {figures['load_after']}")
    save_json(args.json, figures)


if __name__ == "__main__":
    main()
