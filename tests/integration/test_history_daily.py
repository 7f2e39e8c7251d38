"""The daily history check (domain.md §14): the scheduler's job checks the rows since the last check, keeps the
day's digest, prints it in the bulletin, and raises an urgent incident once when a chain breaks."""
from __future__ import annotations

import datetime as dt
from typing import Iterator

import pytest

from sqlalchemy import func, select
from apscheduler.schedulers.background import BackgroundScheduler

from scheduler.app import build_scheduler
from scheduler.jobs import bulletin_job, history_job
from tests.integration.engine_support import Engine
from tests.integration.test_history_chain import busy, rows_of, tamper, triggers
from tests.support import TODAY
from workflow import clock
from workflow.models import Bulletin, HistoryDigest, Incident, Notification, User
from workflow.services.bulletins import bulletin_csv, get_bulletin
from workflow.auth import SYSTEM
from workflow.db import Database


@pytest.fixture
def eng(db: Database) -> Iterator[Engine]:
    engine = Engine(db)
    yield engine
    triggers(db, on=True)


def test_the_scheduler_runs_the_history_check_once_a_day():
    jobs = {j.id: j for j in build_scheduler(BackgroundScheduler(), None).get_jobs()}  # type: ignore[arg-type]
    assert "history" in jobs and str(jobs["history"].trigger).startswith("cron")


def test_the_days_check_keeps_the_digest_and_the_bulletin_prints_it(eng):
    busy(eng)
    result = history_job(eng.db)
    assert result is not None and result["ok"] and result["rows_checked"] == len(rows_of(eng.db)) - 1
    assert history_job(eng.db)["digest"] == result["digest"]  # once a day: the second run reads the stored day
    with eng.db.uow(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(HistoryDigest)) == 1
    assert bulletin_job(eng.db) > 0
    with eng.db.uow(write=False) as uow:
        bid = uow.session.scalars(select(Bulletin.id).order_by(Bulletin.id)).first()
        bulletin = get_bulletin(uow, SYSTEM, bid)
    assert bulletin["data"]["history"]["digest"] == result["digest"] and bulletin["data"]["history"]["ok"]
    assert result["digest"] in bulletin_csv(bulletin, "zh") and "历史记录摘要" in bulletin_csv(bulletin, "zh")


def test_a_chain_broken_since_yesterday_raises_one_urgent_incident_on_its_community(eng):
    eid = busy(eng)
    assert history_job(eng.db)["ok"]
    clock.freeze(TODAY + dt.timedelta(days=1))
    eng.fact("a_party", "staff_trained", False)
    victim = rows_of(eng.db, eid)[-1]
    tamper(eng.db, "UPDATE audit_events SET data = :d WHERE id = :id", d='{"key": "staff_trained", "value": true}',
           id=victim.id)
    result = history_job(eng.db)
    assert result["ok"] is False and result["broken"] == [{"election": eid, "first_bad": victim.id}]
    with eng.db.uow(write=False) as uow:
        s = uow.session
        incidents = list(s.scalars(select(Incident)))
        assert len(incidents) == 1 and incidents[0].severity == "urgent" and str(victim.id) in incidents[0].summary
        admin = s.scalars(select(User.id).where(User.username == "admin")).one()
        assert s.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == admin, Notification.subject.like("%历史记录校验失败%"))) == 1
    clock.freeze(TODAY + dt.timedelta(days=2))
    again = history_job(eng.db)  # the rows since the last check are fine; the break was reported already
    with eng.db.uow(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Incident)) == 1
    assert again is not None
