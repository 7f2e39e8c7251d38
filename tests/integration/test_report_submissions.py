"""Each city's summary report to the province: submitted or not, when, by whom, late cities flagged."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.support import build_world
from workflow import clock
from workflow.auth import SYSTEM
from workflow.errors import DomainError, InvalidRequest
from workflow.services.structure import create_region
from workflow.services.submissions import get_submission, submission_status, submit_report


@pytest.fixture
def world(db):
    w = build_world(db)
    with db.uow() as uow:
        create_region(uow, SYSTEM, "210200", "大连市", "city", "210000")
    return w


def at(day: str) -> None:
    clock.freeze(dt.datetime.fromisoformat(f"{day}T02:00:00+00:00"))


def status(db, actor):
    with db.uow(write=False) as uow:
        return submission_status(uow, actor, "LN2014")


def test_the_province_sees_a_countdown_and_which_cities_have_submitted(db, world):
    at("2015-04-01")
    with db.uow() as uow:
        done = submit_report(uow, world.actors["city"], "LN2014", "210100", "沈阳市换届选举工作总结……")
    assert (done["submitted"], done["submitted_by"], done["late"]) == (True, "city", False)
    s = status(db, world.actors["province"])
    assert (s["due"], s["today"], s["days_left"], s["submitted"], s["late"], s["total"]) == (
        "2015-04-10", "2015-04-01", 9, 1, 0, 2)
    assert s["report_to"] == ["省委", "省政府"] and s["report_copied"] == ["省委组织部", "省民政厅"]
    shenyang, dalian = s["cities"]
    assert (shenyang["city"], shenyang["submitted"], shenyang["narrative"][:3]) == ("210100", True, "沈阳市")
    assert shenyang["submitted_at"].startswith("2015-04-01")
    assert (dalian["city"], dalian["submitted"], dalian["days_left"], dalian["late"]) == ("210200", False, 9, False)


def test_cities_are_flagged_late_after_the_due_date(db, world):
    at("2015-04-12")
    with db.uow() as uow:
        late = submit_report(uow, world.actors["city"], "LN2014", "210100", "迟交的总结")
    assert (late["late"], late["days_late"]) == (True, 2)
    at("2015-04-15")
    s = status(db, world.actors["province"])
    assert s["days_left"] == -5 and s["late"] == 2
    assert [(c["city"], c["late"], c["days_late"]) for c in s["cities"]] == [("210100", True, 2), ("210200", True, 5)]


def test_a_resubmission_replaces_the_narrative_and_keeps_one_record(db, world):
    at("2015-04-02")
    with db.uow() as uow:
        submit_report(uow, world.actors["city"], "LN2014", "210100", "初稿")
    at("2015-04-03")
    with db.uow() as uow:
        submit_report(uow, world.actors["admin"], "LN2014", "210100", "定稿")
    with db.uow(write=False) as uow:
        one = get_submission(uow, world.actors["province"], "LN2014", "210100")
    assert (one["narrative"], one["submitted_by"]) == ("定稿", "admin")
    assert one["submitted_at"].startswith("2015-04-03")
    assert status(db, world.actors["province"])["submitted"] == 1


def test_only_a_supervisor_of_the_city_may_submit_and_a_narrative_is_required(db, world):
    for who in ("province", "county", "cadre", "inspector"):
        with pytest.raises(DomainError) as info, db.uow() as uow:
            submit_report(uow, world.actors[who], "LN2014", "210100", "总结")
        assert info.value.code in ("forbidden", "not_found"), who
    with pytest.raises(InvalidRequest), db.uow() as uow:
        submit_report(uow, world.actors["city"], "LN2014", "210100", "   ")
    with pytest.raises(InvalidRequest), db.uow() as uow:
        submit_report(uow, world.actors["admin"], "LN2014", "210102", "区不是市")
    assert status(db, world.actors["province"])["submitted"] == 0


def test_a_city_supervisor_sees_only_its_own_city(db, world):
    s = status(db, world.actors["city"])
    assert [c["city"] for c in s["cities"]] == ["210100"]


def test_a_bulletin_carries_the_campaigns_own_report_date(db, world):
    # rev. 2 (domain.md §6): the bulletin counts to the campaign's report date, never the rule set's
    from workflow.models import Campaign, Region
    from workflow.services.bulletins import build_bulletin
    with db.uow() as uow:
        s = uow.session
        campaign = s.query(Campaign).filter_by(code="LN2014").one()
        province = s.query(Region).filter_by(code="210000").one()
        data = build_bulletin(s, campaign, province, dt.date(2015, 4, 1))
        assert (data["report_due"], data["report_days_left"]) == ("2015-04-10", 9)
        campaign.report_due = None  # none of its own: summary due (2015-04-05) + 10 days
        data = build_bulletin(s, campaign, province, dt.date(2015, 4, 1))
        assert data["report_due"] == "2015-04-15"
