"""Crash safety: kill -9 a sweep or a scheduler mid-sweep, restart, and every rung exists exactly once;
two scheduler processes started together never duplicate nor miss a rung (SQLite and PostgreSQL)."""
from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from tests.support import build_world
from workflow import clock
from workflow.models import Campaign, Community, Dossier, Election, Escalation, Region

pytestmark = pytest.mark.slow  # schedulers in subprocesses, killed and restarted

ROOT = Path(__file__).resolve().parents[2]
EXTRA = 1500  # communities added in bulk: 3,000 more overdue elections


def add_overdue(db, n: int = EXTRA) -> int:
    """Bulk-insert n communities in street 210102001 with both elections in preparation, long overdue."""
    with db.uow() as uow:
        s = uow.session
        street = s.scalars(select(Region).where(Region.code == "210102001")).one()
        campaign = s.scalars(select(Campaign)).one()
        s.execute(insert(Community), [
            {"code": f"210102001{9000 + i:04d}", "name": f"批量{i}社区", "street_id": street.id,
             "county_id": street.county_id, "city_id": street.city_id, "province_id": street.province_id}
            for i in range(n)])
        ids = s.scalars(select(Community.id).where(Community.name.like("批量%"))).all()
        s.execute(insert(Election), [
            {"campaign_id": campaign.id, "community_id": cid, "body": body, "state": "preparation",
             "due_on": dt.date(2014, 12, 31), "seats": {}}
            for cid in ids for body in ("party", "residents")])
        return s.scalar(select(func.count()).select_from(Election)) or 0


def counts(db) -> tuple[int, int, int]:
    """(rungs, distinct rung keys, dossiers)."""
    with db.uow(write=False) as uow:
        s = uow.session
        total = s.scalar(select(func.count()).select_from(Escalation)) or 0
        keys = s.scalar(select(func.count()).select_from(select(
            Escalation.kind, Escalation.subject_id, Escalation.state, Escalation.due_on, Escalation.level)
            .distinct().subquery())) or 0
        return total, keys, s.scalar(select(func.count()).select_from(Dossier)) or 0


def env(db, tmp_path, **extra: str) -> dict[str, str]:
    out = dict(os.environ, HUANJIE_DATABASE_URL=db.engine.url.render_as_string(hide_password=False),
               HUANJIE_INSTANCE=str(tmp_path / "instance"), PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    out.pop("HUANJIE_SMTP_URL", None)
    out.update(extra)
    return out


def start(args: list[str], environment: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "huanjie.cli", *args], cwd=ROOT, env=environment,
                            stdout=subprocess.DEVNULL, stderr=log.open("w"))


def wait_for_line(log: Path, pattern: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if re.search(pattern, log.read_text(encoding="utf-8", errors="replace")):
            return
        assert proc.poll() is None, log.read_text()
        time.sleep(0.05)
    raise AssertionError(f"no {pattern!r} in {log.read_text()}")


def world_with_backlog(db) -> int:
    build_world(db)
    clock.freeze(None)
    return add_overdue(db)


def test_killing_a_sweep_midway_loses_nothing_and_a_rerun_raises_each_rung_exactly_once(db, tmp_path):
    elections = world_with_backlog(db)
    log = tmp_path / "sweep.log"
    proc = start(["sweep"], env(db, tmp_path, HUANJIE_SWEEP_STAGE_PAUSE="3"), log)
    wait_for_line(log, r"sweep stage: elections of", proc)  # the elections' rungs inserted, not committed
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert counts(db) == (0, 0, 0)  # the killed transaction left nothing behind
    rerun = subprocess.run([sys.executable, "-m", "huanjie.cli", "sweep"], cwd=ROOT, env=env(db, tmp_path),
                           capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert f"raised {3 * elections}," in rerun.stdout
    communities = EXTRA + 3
    assert counts(db) == (3 * elections, 3 * elections, communities)


def test_killing_the_scheduler_midway_and_starting_another_raises_each_rung_exactly_once(db, tmp_path):
    elections = world_with_backlog(db)
    log = tmp_path / "first.log"
    first = start(["scheduler"], env(db, tmp_path, HUANJIE_SWEEP_STAGE_PAUSE="2"), log)
    wait_for_line(log, r"sweep stage: fallback dossiers", first)  # every rung and dossier inserted, not committed
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert counts(db)[0] == 0
    log2 = tmp_path / "second.log"
    second = start(["scheduler"], env(db, tmp_path, HUANJIE_SWEEP_MINUTES="0.02"), log2)
    try:
        wait_for_line(log2, r"sweep raised \d+ closed", second)
        wait_for_line(log2, r"sweep raised 0 closed 0", second)  # and the next run finds nothing more
    finally:
        second.terminate()
        second.wait(timeout=30)
    assert counts(db) == (3 * elections, 3 * elections, EXTRA + 3)


def test_two_schedulers_started_together_sweep_one_at_a_time_and_raise_each_rung_once(db, tmp_path):
    elections = world_with_backlog(db)
    environment = env(db, tmp_path, HUANJIE_SWEEP_MINUTES="0.03", HUANJIE_SWEEP_STAGE_PAUSE="0.3")
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    procs = [start(["scheduler"], environment, log) for log in logs]
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            text = "".join(log.read_text() for log in logs)
            if len(re.findall(r"sweep raised \d+ closed", text)) >= 3 and "sweep skipped" in text:
                break
            for proc, log in zip(procs, logs):
                assert proc.poll() is None, log.read_text()
            time.sleep(0.2)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
    text = "".join(log.read_text() for log in logs)
    assert "sweep skipped" in text  # they met, and the lock kept one of them out
    raised = [int(n) for n in re.findall(r"sweep raised (\d+) closed", text)]
    assert sum(raised) == 3 * elections  # no rung raised twice, none missed
    assert counts(db) == (3 * elections, 3 * elections, EXTRA + 3)
