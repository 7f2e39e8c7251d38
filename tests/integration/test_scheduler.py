"""The scheduler: its database lock, its jobs' options, and the in-process background scheduler."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select

from scheduler import build_scheduler, start_background
from tests.support import build_world
from workflow import clock
from workflow.db import Database
from workflow.models import Escalation, SchedulerLock
from workflow.services.locks import HOST, db_lock
from workflow.services.sweep import try_sweep


ROOT = Path(__file__).resolve().parents[2]


def count_rungs(db) -> int:
    with db.uow(write=False) as uow:
        return uow.session.scalar(select(func.count()).select_from(Escalation)) or 0


def test_a_held_lock_is_refused_to_a_second_holder_until_released(db):
    with db_lock(db, "sweep") as first:
        assert first is True
        with db_lock(db, "sweep") as second:
            assert second is False
        with db_lock(db, "other") as other:
            assert other is True
    with db_lock(db, "sweep") as again:
        assert again is True


def test_a_second_holder_waits_for_the_lock_when_asked_to(db):
    started = time.monotonic()
    with db_lock(db, "sweep") as first:
        assert first
        with db_lock(db, "sweep", wait=0.5) as second:
            assert second is False
    assert time.monotonic() - started >= 0.5


def test_try_sweep_skips_while_another_process_sweeps(db):
    build_world(db)
    with db_lock(db, "sweep"):
        assert try_sweep(db, at="2015-01-01") is None
    assert count_rungs(db) == 0
    assert try_sweep(db, at="2015-01-01")["raised"] == 6


@pytest.fixture
def sqlite_db(sqlite_template, tmp_path):
    path = tmp_path / "lock.sqlite3"
    shutil.copy(sqlite_template, path)
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.parametrize("holder, expires_in, taken", [
    (f"{HOST}:{{dead}}:abcd", 600, True),         # a dead process on this host: taken over at once
    ("elsewhere:1:abcd", 600, False),              # another host, lease still running: respected
    ("elsewhere:1:abcd", -1, True),                # another host, lease ran out: taken over
])
def test_an_sqlite_lock_row_is_taken_over_when_its_holder_died_or_its_lease_ran_out(sqlite_db, holder, expires_in,
                                                                                   taken):
    db = sqlite_db  # PostgreSQL's advisory lock dies with its connection: see test_scheduler_crash.py
    with db.uow() as uow:
        uow.session.add(SchedulerLock(name="sweep", holder=holder.replace("{dead}", str(dead_pid())),
                                      expires_at=dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=expires_in)))
    with db_lock(db, "sweep") as got:
        assert got is taken


def test_the_jobs_have_explicit_ids_and_safe_options(db, monkeypatch):
    monkeypatch.setenv("HUANJIE_SWEEP_MINUTES", "5")
    scheduler = build_scheduler(BackgroundScheduler(), db)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert {"sweep", "bulletin", "bulletin-startup", "outbox"} <= set(jobs)
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time >= 300
    assert jobs["sweep"].trigger.interval == dt.timedelta(minutes=5)
    scheduler.start(paused=True)
    try:
        build_scheduler(scheduler, db)  # adding again replaces, never duplicates
        assert len(scheduler.get_jobs()) == len(jobs)
    finally:
        scheduler.shutdown(wait=False)


@pytest.mark.parametrize("value", ["0", "-3", "soon", "100000"])
def test_a_bad_sweep_interval_is_refused(db, monkeypatch, value):
    monkeypatch.setenv("HUANJIE_SWEEP_MINUTES", value)
    with pytest.raises(ValueError):
        build_scheduler(BackgroundScheduler(), db)


def test_the_background_scheduler_sweeps_at_start_and_stops_cleanly(db, monkeypatch):
    build_world(db)
    clock.freeze(None)  # the scheduler runs on the real clock
    monkeypatch.setenv("HUANJIE_SWEEP_MINUTES", "10")
    stop = start_background(db)
    try:
        deadline = time.monotonic() + 20
        while count_rungs(db) < 18 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop()
    assert count_rungs(db) == 18  # real time: years after the 2014 due dates, every level has passed


@pytest.mark.slow
def test_the_sweep_command_prints_what_it_raised_and_refuses_a_bad_instant(db, tmp_path):
    build_world(db)
    env = dict(os.environ, HUANJIE_DATABASE_URL=db.engine.url.render_as_string(hide_password=False),
               HUANJIE_INSTANCE=str(tmp_path), PYTHONPATH=str(ROOT))
    env.pop("HUANJIE_SMTP_URL", None)
    run = lambda *args: subprocess.run([sys.executable, "-m", "huanjie.cli", "sweep", *args], cwd=ROOT, env=env,  # noqa: E731
                                       capture_output=True, text=True, timeout=120)
    first = run("--at", "2015-01-09T10:00:00+08:00")
    assert first.returncode == 0 and first.stdout.startswith("raised 12, closed 0"), first.stderr
    assert run("--at", "2015-01-09T10:00:00+08:00").stdout.startswith("raised 0, closed 0")
    bad = run("--at", "next week")
    assert bad.returncode == 2 and bad.stderr.startswith("error: at: must be an ISO 8601 timestamp")
    assert len(bad.stderr.strip().splitlines()) == 1
