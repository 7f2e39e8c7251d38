"""Rev. 2 re-checks and rules outside the count: a changed list loses its approval, the candidate guards again at
open_voting, village law elects directly, small branches, handover due from the result."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from workflow import clock
from workflow.errors import GuardsFailed
from workflow.models import Community
from tests.integration.engine_support import Engine


def unmet(err: Any) -> list[str]:
    return [u.code for u in err.value.unmet]


def test_a_list_change_after_approval_clears_the_approval_with_a_history_row_saying_why(db):
    eng = Engine(db)
    eng.advance("a_party", "candidate_meeting")
    first = eng.standing("a_party")[0]
    eng.update(first, education="大学")  # not a change of the list
    assert eng.fact_values("a_party")["candidate_list_approved"] is True
    eng.update(first, full_member=False)
    facts = eng.fact_values("a_party")
    assert "candidate_list_approved" not in facts and "candidate_list_reported" not in facts
    row = eng.audit("a_party", "facts_cleared")[-1]
    assert row.data["reason"] == "candidate changed: full_member" and row.data["candidate"] == first
    assert row.data["facts"] == {"candidate_list_reported": True, "candidate_list_approved": True}
    eng.update(first, full_member=True)
    eng.facts("a_party", ("candidates_introduced", "polling_arrangements_ready"))
    with pytest.raises(GuardsFailed) as err:  # the candidate guards again at open_voting (§4.3)
        eng.fire("a_party", "open_voting")
    assert unmet(err) == ["candidate_list_reported", "candidate_list_approved"]
    eng.fact("a_party", "candidate_list_reported")
    eng.fact("a_party", "candidate_list_approved", actor="street")
    eng.fire("a_party", "open_voting")


def test_a_withdrawal_in_the_candidate_meeting_fails_the_surplus_at_open_voting_and_unpublishes_the_list(db):
    eng = Engine(db, order="concurrent")
    eng.advance("a_residents", "candidate_meeting")
    for cid in eng.standing("a_residents"):
        eng.update(cid, presented=True)
    assert "candidate_list_published_on" in eng.fact_values("a_residents")
    eng.update(eng.standing("a_residents", "director")[0], withdrawn=True)
    assert "candidate_list_published_on" not in eng.fact_values("a_residents")
    assert eng.audit("a_residents", "facts_cleared")[-1].data["reason"] == "candidate changed: withdrawn"
    eng.fact("a_residents", "candidate_meeting_held", clock.today().isoformat())
    eng.facts("a_residents", ("polling_arrangements_ready",))
    with pytest.raises(GuardsFailed) as err:
        eng.fire("a_residents", "open_voting")
    assert unmet(err) == ["candidate_surplus", "candidate_list_timely"]


def test_a_candidate_added_after_publication_unpublishes_the_residents_list(db):
    eng = Engine(db, order="concurrent")
    eng.advance("a_residents", "candidate_meeting")
    eng.add("a_residents", "member", party_member=False, full_member=False, qualified=True)
    assert "candidate_list_published_on" not in eng.fact_values("a_residents")
    assert eng.audit("a_residents", "facts_cleared")[-1].data["reason"] == "candidate added"


def test_under_the_village_law_only_direct_election_holds(db):
    eng = Engine(db)
    eng.fire("v_residents", "apply_village_law", actor="street")
    for mode, ok in (("household", False), ("representative", False), ("direct", True)):
        eng.fact("v_residents", "election_mode", mode)
        with pytest.raises(GuardsFailed) as err:
            eng.fire("v_residents", "open_nomination")
        assert ("election_mode_set" in unmet(err)) is not ok, mode


@pytest.mark.parametrize("members, seats, ok", [(6, 3, False), (6, 2, True), (7, 3, True), (7, 2, False)])
def test_a_branch_below_seven_full_members_elects_one_or_two(db, members: int, seats: int, ok: bool):
    eng = Engine(db)
    with eng.db.uow() as uow:
        e = eng.world.election(uow, "v_party")
        uow.session.get(Community, e.community_id).party_members = members
    eng.seats("v_party", {"member": seats})
    with pytest.raises(GuardsFailed) as err:
        eng.fire("v_party", "open_nomination")
    assert ("seats_in_range" in unmet(err)) is not ok


def test_handover_is_due_ten_days_after_the_result_or_on_the_campaigns_date_if_earlier(db):
    eng = Engine(db, order="concurrent")
    eng.advance("a_residents", "certification")
    announced = clock.today()
    clock.freeze(dt.datetime.combine(announced + dt.timedelta(days=6), dt.time(10), tzinfo=clock.SHANGHAI))
    eng.advance("a_residents", "handover")
    # the campaign's handover date (2015-03-31) is later than result + 10 days here
    assert eng.get("a_residents").due_on == announced + dt.timedelta(days=10)


def test_handover_takes_the_campaigns_date_when_it_comes_first(db):
    eng = Engine(db, order="concurrent")
    eng.advance("a_residents", "voting")
    from tests.support import DUE
    campaign_date = dt.date.fromisoformat(DUE["handover"])  # 2015-03-31
    result_day = campaign_date - dt.timedelta(days=6)  # result + 10 days would be after the campaign's date
    clock.freeze(dt.datetime.combine(result_day, dt.time(10), tzinfo=clock.SHANGHAI))
    eng.advance("a_residents", "certification")
    clock.freeze(dt.datetime.combine(result_day + dt.timedelta(days=2), dt.time(10), tzinfo=clock.SHANGHAI))
    eng.advance("a_residents", "handover")
    assert eng.get("a_residents").due_on == campaign_date
