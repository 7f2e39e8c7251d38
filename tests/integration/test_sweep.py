"""The overdue sweep: the 三包三保 ladder at its edges, idempotence, closing, suspensions (domain.md §6)."""
from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import func, select

from tests.support import build_world
from workflow import clock
from workflow.models import AuditEvent, Dossier, Escalation, Notification, User
from workflow.services.elections import fire_trigger
from workflow.services.escalation import escalations_for_election, list_escalations
from workflow.services.sweep import parse_instant, sweep_overdue
from workflow.walk import Walker

# every election of the world is in preparation, due 2014-12-31 (D)


def sweep(db, at):
    with db.uow() as uow:
        return sweep_overdue(uow, at=at)


def rungs(db, **where):
    with db.uow(write=False) as uow:
        stmt = select(Escalation).order_by(Escalation.level, Escalation.subject_id)
        for key, value in where.items():
            stmt = stmt.where(getattr(Escalation, key) == value)
        return list(uow.session.scalars(stmt))


def username(db, uid):
    with db.uow(write=False) as uow:
        return uow.session.get(User, uid).username if uid else None


def test_nothing_is_raised_on_the_due_day_itself(db):
    build_world(db)
    assert sweep(db, "2014-12-31T23:59:59+08:00")["raised"] == 0
    assert rungs(db) == []


def test_the_day_after_the_due_date_raises_level_one_in_shanghai_time(db):
    world = build_world(db)
    # 16:30 UTC on the 31st is already 1 January in Shanghai
    result = sweep(db, "2014-12-31T16:30:00+00:00")
    assert result["raised"] == 6
    rows = rungs(db, kind="election")
    assert {r.level for r in rows} == {1}
    a_party = next(r for r in rows if r.subject_id == world.elections["a_party"])
    assert (a_party.state, a_party.due_on, a_party.election_id) == ("preparation", dt.date(2014, 12, 31),
                                                                    world.elections["a_party"])
    assert username(db, a_party.notified_user_id) == "cadre"
    assert sorted(a_party.copied) == ["province", "street"]


def test_nobody_responsible_raises_the_rung_with_no_one_notified(db):
    world = build_world(db)
    sweep(db, "2015-01-01")
    b = rungs(db, subject_id=world.elections["b_party"])
    assert len(b) == 1 and b[0].notified_user_id is None and b[0].copied == []


def test_level_two_waits_until_d_plus_seven_has_passed(db):
    world = build_world(db)
    sweep(db, "2015-01-07T23:00:00+08:00")
    assert {r.level for r in rungs(db)} == {1}
    sweep(db, "2015-01-08T00:10:00+08:00")
    level2 = rungs(db, level=2, subject_id=world.elections["a_residents"])
    assert len(level2) == 1 and username(db, level2[0].notified_user_id) == "county"


def test_level_three_waits_until_d_plus_fourteen_and_opens_one_dossier_per_community(db):
    world = build_world(db)
    assert sweep(db, "2015-01-14")["dossiers"] == 0
    assert rungs(db, level=3) == []
    result = sweep(db, "2015-01-15")
    level3 = rungs(db, level=3, subject_id=world.elections["a_party"])
    assert len(level3) == 1 and username(db, level3[0].notified_user_id) == "city"
    assert result["dossiers"] == 3  # three communities, two elections each: one dossier per community
    with db.uow(write=False) as uow:
        dossiers = list(uow.session.scalars(select(Dossier)))
        assert {d.cause for d in dossiers} == {"overdue"}
        assert {d.due_on for d in dossiers} == {dt.date(2015, 1, 29)}  # dossier_fallback_days = 14
        assert all(d.automatic and d.status == "open" for d in dossiers)
        audited = uow.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "dossier_opened"))
        assert audited == 3


def test_a_late_first_sweep_raises_every_passed_level_at_once(db):
    build_world(db)
    result = sweep(db, "2015-02-01")
    assert result["raised"] == 18
    assert sorted({r.level for r in rungs(db)}) == [1, 2, 3]


def test_two_sweeps_at_the_same_instant_raise_nothing_new(db):
    build_world(db)
    first = sweep(db, "2015-01-20")
    with db.uow(write=False) as uow:
        notes = uow.session.scalar(select(func.count()).select_from(Notification))
    second = sweep(db, "2015-01-20")
    assert first["raised"] == 18 and second == {"raised": 0, "closed": 0, "dossiers": 0, "notifications": 0}
    with db.uow(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Notification)) == notes
        assert uow.session.scalar(select(func.count()).select_from(Escalation)) == 18
        assert uow.session.scalar(select(func.count()).select_from(Dossier)) == 3


def test_progress_closes_the_rungs_and_the_new_state_starts_its_own_ladder(db):
    world = build_world(db)
    a = world.actors
    sweep(db, "2015-01-02")
    clock.freeze(dt.datetime(2015, 1, 3, 2, tzinfo=dt.timezone.utc))
    with db.uow() as uow:
        Walker(uow, a["cadre"], a["street"], a["city"], random.Random(3)).advance_to(
            world.election(uow, "a_party"), "nomination")
    closed = rungs(db, subject_id=world.elections["a_party"])
    assert len(closed) == 1 and closed[0].closed_at is not None  # closed by the transition itself
    result = sweep(db, "2015-01-03")
    assert result == {"raised": 0, "closed": 0, "dossiers": 0, "notifications": 0}
    closed = rungs(db, subject_id=world.elections["a_party"])
    assert len(closed) == 1 and closed[0].closed_at is not None
    sweep(db, "2015-01-21")  # nomination is due 2015-01-20
    fresh = [r for r in rungs(db, subject_id=world.elections["a_party"]) if r.closed_at is None]
    assert [(r.state, r.due_on, r.level) for r in fresh] == [("nomination", dt.date(2015, 1, 20), 1)]


def test_a_suspended_election_is_left_alone_until_its_review_date_passes(db):
    world = build_world(db)
    a = world.actors
    clock.freeze(dt.datetime(2014, 12, 20, 2, tzinfo=dt.timezone.utc))
    eid = world.elections["a_party"]
    with db.uow() as uow:
        fire_trigger(uow, a["county"], eid, "suspend", world.election(uow, "a_party").version,
                     note="宗族势力干扰", review_on="2015-01-10")
    sweep(db, "2015-01-10")  # preparation's due date has passed, but the election is suspended
    assert rungs(db, subject_id=eid) == []
    sweep(db, "2015-01-11")
    [rung] = rungs(db, subject_id=eid)
    assert (rung.state, rung.due_on, rung.level) == ("suspended", dt.date(2015, 1, 10), 1)
    clock.freeze(dt.datetime(2015, 1, 12, 2, tzinfo=dt.timezone.utc))
    with db.uow() as uow:
        fire_trigger(uow, a["county"], eid, "resume", world.election(uow, "a_party").version)
    assert sweep(db, "2015-01-12")["closed"] == 0  # resuming closed the rung itself
    assert all(r.closed_at is not None for r in rungs(db, subject_id=eid))
    # resumed after 23 days: preparation is now due 2015-01-23, so nothing new yet
    assert [r for r in rungs(db, subject_id=eid) if r.closed_at is None] == []


def test_closed_elections_are_never_overdue(db):
    world = build_world(db)
    a = world.actors
    with db.uow() as uow:
        walker = Walker(uow, a["cadre"], a["street"], a["city"], random.Random(4))
        walker.advance_to(world.election(uow, "a_party"), "closed")
    sweep(db, "2015-12-31")
    assert rungs(db, subject_id=world.elections["a_party"]) == []


def test_the_sweep_is_audited_with_its_counts(db):
    build_world(db)
    sweep(db, "2015-01-01")
    with db.uow(write=False) as uow:
        row = uow.session.scalars(select(AuditEvent).where(AuditEvent.action == "sweep")).one()
        assert row.actor == "system" and row.data["raised"] == 6 and row.data["day"] == "2015-01-01"


def test_escalations_are_listed_in_the_callers_scope_with_the_api_fields(db):
    world = build_world(db)
    a = world.actors
    sweep(db, "2015-01-09")
    with db.uow(write=False) as uow:
        everything = list_escalations(uow, a["admin"], open_only=True)
        assert everything["total"] == 12
        item = everything["items"][0]
        assert set(item) == {"id", "kind", "election", "subject", "community", "state", "level", "due",
                             "raised_at", "notified", "copied", "closed_at"}
        assert list_escalations(uow, a["othercadre"])["total"] == 4  # community 210103001001 only
        assert list_escalations(uow, a["admin"], region="210103")["total"] == 4
        assert list_escalations(uow, a["admin"], level=2)["total"] == 6
        assert list_escalations(uow, a["county"], mine=True)["total"] == 4  # level 2 of a and v
        assert list_escalations(uow, a["province"], mine=True)["total"] == 8  # copied on a and v
        assert list_escalations(uow, a["admin"], open_only=False)["total"] == 0
        page = list_escalations(uow, a["admin"], page=2, per_page=5)
        assert len(page["items"]) == 5 and page["page"] == 2
        on_page = escalations_for_election(uow, a["cadre"], world.elections["a_party"])
        assert [r["level"] for r in on_page] == [2, 1]


@pytest.mark.parametrize("raw, expected", [
    ("2015-01-01", dt.datetime(2015, 1, 1, 4, tzinfo=dt.timezone.utc)),
    ("2015-01-01T08:00:00", dt.datetime(2015, 1, 1, 0, tzinfo=dt.timezone.utc)),
    ("2015-01-01T08:00:00Z", dt.datetime(2015, 1, 1, 8, tzinfo=dt.timezone.utc)),
    (None, None),
])
def test_sweep_instants_are_parsed_with_shanghai_as_the_default_zone(raw, expected):
    assert parse_instant(raw) == expected


@pytest.mark.parametrize("raw", ["tomorrow", "2015-13-01", 12, "2015-01-01T25:00"])
def test_a_bad_sweep_instant_is_an_invalid_request(raw):
    from workflow.errors import InvalidRequest
    with pytest.raises(InvalidRequest):
        parse_instant(raw)


def test_the_notified_person_is_never_also_copied(db):
    world = build_world(db)
    from workflow.auth import SYSTEM
    from workflow.services.structure import set_responsibility
    with db.uow() as uow:
        set_responsibility(uow, SYSTEM, "210102001", "cadre", "direct")  # the street's direct person is the contact
    sweep(db, "2015-01-01")
    a_party = rungs(db, subject_id=world.elections["a_party"])[0]
    assert username(db, a_party.notified_user_id) == "cadre" and a_party.copied == ["province"]
    sweep(db, "2015-01-09")
    level2 = rungs(db, subject_id=world.elections["a_party"], level=2)[0]
    assert username(db, level2.notified_user_id) == "county" and level2.copied == ["cadre", "province"]
    with db.uow(write=False) as uow:
        cadre = world.actors["cadre"].user_id
        subjects = list(uow.session.scalars(select(Notification.subject).where(Notification.user_id == cadre)
                                            .order_by(Notification.id)))
    assert subjects == ["督办提醒：新增逾期督办 4 项（需您督办 4 项）", "督办提醒：新增逾期督办 4 项（抄送）"]
