"""Complaints, dossiers and incidents escalate on their own deadlines and close when handled (domain.md §5–§6)."""
from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
from sqlalchemy import func, select

from tests.support import DUE, build_world
from workflow.auth import SYSTEM
from workflow.errors import Forbidden, InvalidRequest, InvalidState, NotFound
from workflow.models import Campaign, Dossier, Election, Escalation, Notification, User
from workflow.services.campaigns import create_campaign, launch_campaign
from workflow.services.complaints import file_complaint, resolve_complaint
from workflow.services.dossiers import list_dossiers, open_dossier, update_dossier
from workflow.services.incidents import acknowledge_incident, get_incident, list_incidents, report_incident
from workflow.services.sweep import sweep_overdue


def sweep(db, at):
    with db.uow() as uow:
        return sweep_overdue(uow, at=at)


def rungs(db, kind):
    with db.uow(write=False) as uow:
        return list(uow.session.scalars(select(Escalation).where(Escalation.kind == kind)
                                        .order_by(Escalation.level)))


def names(db, ids):
    with db.uow(write=False) as uow:
        return sorted(uow.session.scalars(select(User.username).where(User.id.in_(ids))))


def test_a_complaint_escalates_once_its_thirty_days_have_passed_and_copies_the_inspector(db):
    world = build_world(db)
    a = world.actors
    with db.uow() as uow:
        c = file_complaint(uow, a["cadre"], world.elections["a_party"], "procedure", None, "2014-12-10", "程序不规范")
        cid = c.id
    assert c.due_on == dt.date(2015, 1, 9)
    sweep(db, "2015-01-09")
    assert rungs(db, "complaint") == []
    sweep(db, "2015-01-10")
    [rung] = rungs(db, "complaint")
    assert (rung.subject_id, rung.state, rung.due_on, rung.level, rung.election_id) == (
        cid, "open", dt.date(2015, 1, 9), 1, world.elections["a_party"])
    assert names(db, [rung.notified_user_id]) == ["cadre"]
    assert sorted(rung.copied) == ["inspector", "province", "street"]
    sweep(db, "2015-01-17")
    assert [r.level for r in rungs(db, "complaint")] == [1, 2]
    with db.uow() as uow:
        resolve_complaint(uow, a["inspector"], cid, "unfounded", "查无实据")
    assert sweep(db, "2015-01-17")["closed"] == 2
    assert all(r.closed_at is not None for r in rungs(db, "complaint"))


def test_an_interference_complaint_raises_levels_two_and_three_at_once_and_they_close_on_resolution(db):
    world = build_world(db)
    a = world.actors
    with db.uow() as uow:
        cid = file_complaint(uow, a["cadre"], world.elections["a_party"], "interference", None, "2014-12-10",
                             "宗族势力干扰").id
    assert [r.level for r in rungs(db, "complaint")] == [2, 3]
    assert sweep(db, "2014-12-11")["closed"] == 0  # still open: the filing rungs stay open
    with db.uow() as uow:
        resolve_complaint(uow, a["county"], cid, "unfounded", "已处理")
    assert sweep(db, "2014-12-12")["closed"] == 2


def test_a_dossier_escalates_past_its_time_limit_and_resolving_closes_it_at_once(db):
    world = build_world(db)
    a = world.actors
    with db.uow() as uow:
        d, _ = open_dossier(uow, a["cadre"], "210102001001", "班子不团结，可能无法按期换届", "2014-12-20", "张驻点")
        did = d.id
    sweep(db, "2014-12-20")
    assert rungs(db, "dossier") == []
    sweep(db, "2014-12-21")
    [rung] = rungs(db, "dossier")
    assert (rung.subject_id, rung.state, rung.due_on, rung.election_id) == (did, "open", dt.date(2014, 12, 20), None)
    assert names(db, [rung.notified_user_id]) == ["cadre"]
    with db.uow() as uow:
        update_dossier(uow, a["street"], did, {"status": "resolved", "note": "已完成整顿"})
    [rung] = rungs(db, "dossier")
    assert rung.closed_at is not None
    with db.uow(write=False) as uow:
        assert list_dossiers(uow, a["cadre"], open_only=True)["total"] == 0
        assert list_dossiers(uow, a["cadre"], open_only=False)["items"][0]["status"] == "resolved"


def test_extending_a_dossiers_time_limit_closes_the_old_rungs_and_restarts_the_ladder(db):
    world = build_world(db)
    a = world.actors
    with db.uow() as uow:
        did = open_dossier(uow, a["cadre"], "210102001001", "候选人人选不足", "2014-12-20")[0].id
    sweep(db, "2014-12-22")
    with db.uow() as uow:
        update_dossier(uow, a["cadre"], did, {"due_on": "2015-01-05"})
    assert rungs(db, "dossier")[0].closed_at is not None
    sweep(db, "2015-01-05")
    assert len(rungs(db, "dossier")) == 1
    sweep(db, "2015-01-06")
    assert sorted((r.due_on, r.level, r.closed_at is None) for r in rungs(db, "dossier")) == [
        (dt.date(2014, 12, 20), 1, False), (dt.date(2015, 1, 5), 1, True)]


@pytest.mark.parametrize("who, changes, error", [
    ("observer", {"status": "resolved"}, Forbidden),
    ("inspector", {"status": "resolved"}, Forbidden),
    ("cadre", {"status": "done"}, InvalidRequest),
    ("cadre", {"colour": "red"}, InvalidRequest),
    ("cadre", {"due_on": "2015-02-30"}, InvalidRequest),
    ("othercadre", {"status": "resolved"}, NotFound),
])
def test_bad_dossier_changes_are_refused_and_change_nothing(db, who, changes, error):
    world = build_world(db)
    with db.uow() as uow:
        did = open_dossier(uow, world.actors["cadre"], "210102001001", "原因", "2014-12-20")[0].id
    with pytest.raises(error):
        with db.uow() as uow:
            update_dossier(uow, world.actors[who], did, changes)
    with db.uow(write=False) as uow:
        assert list_dossiers(uow, world.actors["admin"], open_only=True)["items"][0]["due_on"] == "2014-12-20"


def test_an_incident_reaches_the_county_and_city_leaders_at_once_and_escalates_unacknowledged(db):
    world = build_world(db)
    a = world.actors
    with db.uow() as uow:
        inc, _ = report_incident(uow, a["cadre"], "210102001001", "选举大会现场有人组织冲击会场", "urgent")
        iid = inc.id
    assert inc.ack_due_on == dt.date(2014, 12, 11)  # incident_ack_days = 1
    with db.uow(write=False) as uow:
        told = uow.session.execute(select(User.username, Notification.subject).join(
            Notification, Notification.user_id == User.id)).all()
    assert {"county", "city"} <= {u for u, _ in told}
    assert all("重大问题报告" in subject for _, subject in told)
    sweep(db, "2014-12-11")
    assert rungs(db, "incident") == []
    sweep(db, "2014-12-12")
    [rung] = rungs(db, "incident")
    assert (rung.state, rung.due_on, rung.level) == ("unacknowledged", dt.date(2014, 12, 11), 1)
    with db.uow() as uow:
        with pytest.raises(Forbidden):
            acknowledge_incident(uow, a["street"], iid, "收到")  # a street supervisor is below county level
    with db.uow() as uow:
        acknowledge_incident(uow, a["county"], iid, "已派工作组")
    assert rungs(db, "incident")[0].closed_at is not None
    with db.uow() as uow:
        with pytest.raises(InvalidState):
            acknowledge_incident(uow, a["city"], iid, "again")
    with db.uow(write=False) as uow:
        shown = get_incident(uow, a["county"], iid)
        assert shown["acknowledged_by"] == "county" and shown["reported_by"] == "cadre"
        assert {e["body"] for e in shown["elections"]} == {"party", "residents"}
        assert list_incidents(uow, a["city"], open_only=True)["total"] == 0
        assert list_incidents(uow, a["othercadre"])["total"] == 0


@pytest.mark.parametrize("who, body, error", [
    ("observer", {"summary": "x", "severity": "major"}, Forbidden),
    ("inspector", {"summary": "x", "severity": "major"}, Forbidden),
    ("cadre", {"summary": "x", "severity": "minor"}, InvalidRequest),
    ("cadre", {"summary": "", "severity": "major"}, InvalidRequest),
])
def test_bad_incident_reports_are_refused(db, who, body, error):
    world = build_world(db)
    with pytest.raises(error):
        with db.uow() as uow:
            report_incident(uow, world.actors[who], "210102001001", body["summary"], body["severity"])


@pytest.fixture
def fast_rule_set(tmp_path, monkeypatch):
    """A second rule set, 'fast-2015': ladder [0, 2, 4] days, incidents acknowledged within 3 days."""
    from workflow import ruleset
    data = json.loads((ruleset.RULESET_DIR / "liaoning-2014.json").read_text(encoding="utf-8"))
    shutil.copy(ruleset.RULESET_DIR / "liaoning-2014.json", tmp_path / "liaoning-2014.json")
    data.update(name="fast-2015", escalation_offsets_days=[0, 2, 4], incident_ack_days=3, dossier_fallback_days=5)
    (tmp_path / "fast-2015.json").write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(ruleset, "RULESET_DIR", tmp_path)
    ruleset.get_rule_set.cache_clear()
    yield "fast-2015"
    ruleset.get_rule_set.cache_clear()


def test_each_campaign_escalates_on_its_own_rule_sets_ladder(db, fast_rule_set):
    world = build_world(db)
    with db.uow() as uow:
        create_campaign(uow, SYSTEM, "LN2015", "第二轮", fast_rule_set, "210102001", "party_first", DUE)
        launch_campaign(uow, SYSTEM, "LN2015")
    sweep(db, "2015-01-04")  # D + 3: past level 2 of [0, 2, 4], only level 1 of [0, 7, 14]
    with db.uow(write=False) as uow:
        levels = dict(uow.session.execute(
            select(Campaign.code, func.max(Escalation.level)).join(Election, Election.campaign_id == Campaign.id)
            .join(Escalation, Escalation.subject_id == Election.id).where(Escalation.kind == "election")
            .group_by(Campaign.code)).all())
    assert levels == {"LN2014": 1, "LN2015": 2}
    assert world.elections


def test_dossiers_and_incidents_follow_the_rule_set_of_the_communitys_latest_campaign(db, fast_rule_set):
    world = build_world(db)
    with db.uow() as uow:
        create_campaign(uow, SYSTEM, "LN2015", "第二轮", fast_rule_set, "210102001", "party_first", DUE)
        launch_campaign(uow, SYSTEM, "LN2015")
    with db.uow() as uow:
        fast, _ = report_incident(uow, world.actors["cadre"], "210102001002", "村改居集体资产纠纷", "major")
        slow, _ = report_incident(uow, world.actors["othercadre"], "210103001001", "选民登记争议", "major")
    assert fast.ack_due_on == dt.date(2014, 12, 13) and slow.ack_due_on == dt.date(2014, 12, 11)
    sweep(db, "2014-12-19")  # fast: 6 days past (levels 1-3 of [0, 2, 4]); slow: 8 days past (levels 1-2)
    by_subject = {(r.subject_id, r.level) for r in rungs(db, "incident")}
    assert by_subject == {(fast.id, 1), (fast.id, 2), (fast.id, 3), (slow.id, 1), (slow.id, 2)}
    with db.uow(write=False) as uow:
        [dossier] = uow.session.scalars(select(Dossier)).all()
        assert dossier.due_on == dt.date(2014, 12, 24)  # fast-2015 dossier_fallback_days = 5
