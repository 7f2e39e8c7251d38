"""The joint review's page (domain.md §12): a reviewer's queue, a failure with its grounds, zh and en, others 403."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.support import PASSWORD
from tests.ui.conftest import text
from tests.ui.test_roll_pages import roll_election  # noqa: F401
from workflow.auth import SYSTEM
from workflow.models import Election
from workflow.services.election_data import add_candidate, record_facts
from workflow.services.elections import fire_trigger
from workflow.services.structure import create_user


def _party_with_candidate(world: Any) -> int:
    """The national-2026 Party election of 北市社区 in nomination with one candidate; return the candidate id."""
    with world.db.uow() as w:
        e = w.session.scalars(select(Election).where(Election.body == "party", Election.campaign.has(code="CN2026"),
                                                     Election.community.has(code="210102001001"))).one()
        w.session.execute(Election.__table__.update().where(Election.id == e.id).values(seats={"member": 5}))
        record_facts(w, SYSTEM, e.id, {k: True for k in (
            "leadership_group_formed", "work_plan_approved", "contingency_plan_filed", "staff_trained",
            "publicity_done", "funding_secured", "org_setup_confirmed")})
    with world.db.uow() as w:
        e = w.session.get(Election, e.id)
        fire_trigger(w, SYSTEM, e.id, "open_nomination", e.version)
    with world.db.uow() as w:
        cand = add_candidate(w, SYSTEM, e.id, {"name": "张候选", "post": "member", "full_member": True})
        create_user(w, SYSTEM, "rv_court", PASSWORD, "reviewer", "210102", department="court")
        return cand.id


def test_a_reviewer_sees_the_waiting_candidate_records_a_failure_with_grounds_and_others_are_refused(
        ui: Any, world: Any, roll_election: int) -> None:  # noqa: F811
    cid = _party_with_candidate(world)
    reviewer = ui("rv_court")
    page = text(reviewer.get("/reviews"))
    assert "资格联审" in page and "张候选" in page and "人民法院" in page and "受过刑事处罚的" in page
    r = reviewer.post(f"/reviews/{cid}", {"verdict": "fail"})
    assert r.status_code == 400
    r = reviewer.post(f"/reviews/{cid}", {"verdict": "fail", "grounds": "criminal_record", "note": "判决书"})
    assert r.status_code == 302
    page = text(reviewer.get("/reviews"))
    assert "未通过" in page
    assert ui("cadre").get("/reviews").status_code == 403
