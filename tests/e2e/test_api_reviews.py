# ruff: noqa: F811  (the `roll` fixture is imported by name, as pytest needs)
"""资格联审 (domain.md §12) over the API under national-2026: verdicts, who sees the grounds, the list change, the
guard at both triggers, and liaoning-2014 without a review."""
from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.roll_support import Roll, roll  # noqa: F401
from workflow.ruleset import get_rule_set

DEPARTMENTS = [d.code for d in get_rule_set("national-2026").joint_review.departments]  # type: ignore[union-attr]
PREP = dict(leadership_group_formed=True, work_plan_approved=True, contingency_plan_filed=True, staff_trained=True,
            publicity_done=True, funding_secured=True, org_setup_confirmed=True)


def ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, (r.status_code, r.get_json())
    return r.get_json()


def reviewers(roll: Roll) -> None:
    """One county reviewer per department in 和平区 (210102), one public-security reviewer in 沈河区."""
    for code in DEPARTMENTS:
        ok(roll.api.post("/users", {"username": f"rv_{code}", "password": "correct horse battery", "role": "reviewer",
                                    "scope": "210102", "department": code}), 201)
    ok(roll.api.post("/users", {"username": "rv_far", "password": "correct horse battery", "role": "reviewer",
                                "scope": "210103", "department": "public_security"}), 201)


def fire(roll: Roll, e: int, trigger: str, status: int = 200) -> Any:
    version = ok(roll.api.get(f"/elections/{e}"))["version"]
    return ok(roll.api.post(f"/elections/{e}/transitions", {"trigger": trigger, "version": version}, who="street"),
              status)


def party_in_nomination(roll: Roll, names: tuple[str, ...] = ("甲", "乙", "丙", "丁", "戊", "己", "庚")) -> tuple[int, list[int]]:
    """The 北市社区 Party election in nomination with seven full-member candidates for five seats."""
    e = roll.elections["a_party"]
    ok(roll.api.put(f"/elections/{e}/seats", {"member": 5}, who="cadre"))
    ok(roll.api.patch(f"/elections/{e}/facts", {"facts": PREP}, who="cadre"))
    fire(roll, e, "open_nomination")
    ids = [ok(roll.api.post(f"/elections/{e}/candidates", {"name": n, "post": "member", "party_member": True,
                                                          "full_member": True}, who="cadre"), 201)["id"]
           for n in names]
    return e, ids


def verdict(roll: Roll, cid: int, dept: str, body: dict[str, Any], who: str | None = None, status: int = 200) -> Any:
    return ok(roll.api.put(f"/candidates/{cid}/reviews/{dept}", body, who=who or f"rv_{dept}"), status)


def pass_all(roll: Roll, cid: int) -> None:
    for d in DEPARTMENTS:
        verdict(roll, cid, d, {"verdict": "pass"})


def test_a_failed_candidate_shows_failed_to_every_role_and_its_grounds_only_to_reviewers_county_supervisors_inspectors_and_admins(
        roll: Roll) -> None:
    reviewers(roll)
    e, ids = party_in_nomination(roll)
    body = verdict(roll, ids[0], "public_security", {"verdict": "fail", "grounds": ["criminal_record"],
                                                     "note": "2019年受过刑事处罚"})
    assert body["review"]["status"] == "failed" and body["disqualified"] is True
    assert body["review"]["grounds"] == {"public_security": ["criminal_record"]}
    see = {"admin": True, "province": True, "city": True, "county": True, "inspector": True, "rv_court": True,
           "street": False, "cadre": False, "observer": False}
    for who, grounds in see.items():
        cand = next(c for c in ok(roll.api.get(f"/elections/{e}", who=who))["candidates"] if c["id"] == ids[0])
        assert cand["review"]["status"] == "failed", who
        assert cand["review"]["departments"] == {"public_security": "fail"}, who
        assert ("grounds" in cand["review"]) is grounds, who
        rows = [h for h in ok(roll.api.get(f"/elections/{e}/history", who=who))["items"] if h["action"] == "candidate_reviewed"]
        assert len(rows) == 1 and rows[0]["data"]["verdict"] == "fail", who
        assert ("criminal_record" in str(rows[0]["data"])) is grounds, who
        assert ("刑事处罚" in str(rows[0]["data"])) is grounds, who


def test_a_verdict_outside_the_reviewers_department_is_403_outside_its_scope_404_and_other_roles_403(
        roll: Roll) -> None:
    reviewers(roll)
    e, ids = party_in_nomination(roll)
    verdict(roll, ids[0], "court", {"verdict": "pass"}, who="rv_public_security", status=403)
    verdict(roll, ids[0], "public_security", {"verdict": "pass"}, who="rv_far", status=404)
    for who in ("cadre", "street", "county", "inspector", "observer"):
        verdict(roll, ids[0], "court", {"verdict": "pass"}, who=who, status=403)
    verdict(roll, ids[0], "court", {"verdict": "pass"}, who="admin")
    ok(roll.api.patch(f"/elections/{e}/facts", {"facts": {"publicity_done": True}}, who="rv_court"), 403)


@pytest.mark.parametrize("body, field", [
    ({"verdict": "fail"}, "grounds"),
    ({"verdict": "fail", "grounds": []}, "grounds"),
    ({"verdict": "fail", "grounds": ["not_a_ground"]}, "grounds"),
    ({"verdict": "maybe"}, "verdict"),
])
def test_a_verdict_without_a_ground_or_with_an_unknown_ground_is_400(roll: Roll, body: dict[str, Any],
                                                                      field: str) -> None:
    reviewers(roll)
    e, ids = party_in_nomination(roll)
    r = roll.api.put(f"/candidates/{ids[0]}/reviews/court", body, who="rv_court")
    assert r.status_code == 400 and field in r.get_json()["fields"], r.get_json()
    r = roll.api.put(f"/candidates/{ids[0]}/reviews/army", {"verdict": "pass"}, who="admin")
    assert r.status_code == 400 and "department" in r.get_json()["fields"]
    assert all(h["action"] != "candidate_reviewed" for h in ok(roll.api.get(f"/elections/{e}/history"))["items"])


def test_a_failure_after_approval_clears_the_approval_and_a_return_to_pass_lets_the_candidate_stand_again(
        roll: Roll) -> None:
    reviewers(roll)
    e, ids = party_in_nomination(roll)
    for cid in ids:
        pass_all(roll, cid)
    ok(roll.api.patch(f"/elections/{e}/facts", {"facts": {"candidate_list_reported": True}}, who="cadre"))
    ok(roll.api.patch(f"/elections/{e}/facts", {"facts": {"candidate_list_approved": True}}, who="street"))
    verdict(roll, ids[1], "petitions", {"verdict": "fail", "grounds": ["incitement", "bribery"]})
    facts = ok(roll.api.get(f"/elections/{e}"))["facts"]
    assert "candidate_list_approved" not in facts and "candidate_list_reported" not in facts
    cleared = [h for h in ok(roll.api.get(f"/elections/{e}/history?per_page=500"))["items"] if h["action"] == "facts_cleared"]
    assert cleared and cleared[-1]["data"]["candidate"] == ids[1]
    back = verdict(roll, ids[1], "petitions", {"verdict": "pass", "note": "经复核，情况不实"})
    assert back["review"]["status"] == "passed" and back["disqualified"] is False and back["status"] == "standing"
    assert back["qualified"] is True


def test_the_guard_holds_at_open_candidate_meeting_and_open_voting_only_when_every_standing_candidate_passed(
        roll: Roll) -> None:
    reviewers(roll)
    e, ids = party_in_nomination(roll)
    for cid in ids[1:]:
        pass_all(roll, cid)
    ok(roll.api.patch(f"/elections/{e}/facts", {"facts": {
        "member_mass_recommendation_done": True, "superior_recommendation_done": True,
        "candidate_list_reported": True}}, who="cadre"))
    ok(roll.api.patch(f"/elections/{e}/facts", {"facts": {"candidate_list_approved": True}}, who="street"))
    refused = fire(roll, e, "open_candidate_meeting", 409)
    assert "candidates_reviewed" in [u["code"] for u in refused["unmet"]]
    pass_all(roll, ids[0])
    fire(roll, e, "open_candidate_meeting")
    # a newcomer in the candidate meeting is pending: open_voting is refused on the review
    late = ok(roll.api.post(f"/elections/{e}/candidates", {"name": "辛", "post": "member", "party_member": True,
                                                          "full_member": True}, who="cadre"), 201)
    assert late["review"] == {"status": "pending", "departments": {}}
    ok(roll.api.patch(f"/elections/{e}/facts", {"facts": {"candidates_introduced": True,
                                                           "polling_arrangements_ready": True,
                                                           "candidate_list_reported": True}}, who="cadre"))
    ok(roll.api.patch(f"/elections/{e}/facts", {"facts": {"candidate_list_approved": True}}, who="street"))
    refused = fire(roll, e, "open_voting", 409)
    assert "candidates_reviewed" in [u["code"] for u in refused["unmet"]]
    pass_all(roll, late["id"])
    assert fire(roll, e, "open_voting")["state"] == "voting"
    # in voting the review is closed
    assert verdict(roll, late["id"], "court", {"verdict": "fail", "grounds": ["other"]}, status=409)["error"] \
        == "invalid_state"


def test_qualified_is_computed_under_a_review_and_cannot_be_set_by_hand(roll: Roll) -> None:
    reviewers(roll)
    e, ids = party_in_nomination(roll)
    r = roll.api.patch(f"/candidates/{ids[0]}", {"qualified": True}, who="cadre")
    assert r.status_code == 400 and "qualified" in r.get_json()["fields"]
    r = roll.api.post(f"/elections/{e}/candidates", {"name": "壬", "post": "member", "qualified": True}, who="cadre")
    assert r.status_code == 400 and "qualified" in r.get_json()["fields"]


def test_a_verdict_outside_nomination_and_candidate_meeting_is_409_invalid_state(roll: Roll) -> None:
    reviewers(roll)
    e = roll.elections["a_party"]
    ok(roll.api.put(f"/elections/{e}/seats", {"member": 5}, who="cadre"))
    ok(roll.api.patch(f"/elections/{e}/facts", {"facts": PREP}, who="cadre"))
    fire(roll, e, "open_nomination")
    cid = ok(roll.api.post(f"/elections/{e}/candidates", {"name": "甲", "post": "member", "full_member": True},
                           who="cadre"), 201)["id"]
    version = ok(roll.api.get(f"/elections/{e}"))["version"]
    ok(roll.api.post(f"/elections/{e}/transitions", {"trigger": "suspend", "version": version, "note": "暂停"},
                     who="county"))
    r = verdict(roll, cid, "court", {"verdict": "pass"}, status=409)
    assert r["error"] == "invalid_state"


def test_a_reviewer_needs_a_department_of_the_joint_review_and_other_roles_have_none(roll: Roll) -> None:
    base = {"password": "correct horse battery", "scope": "210102"}
    r = roll.api.post("/users", {**base, "username": "rv1", "role": "reviewer"})
    assert r.status_code == 400 and "department" in r.get_json()["fields"]
    r = roll.api.post("/users", {**base, "username": "rv2", "role": "reviewer", "department": "army"})
    assert r.status_code == 400 and "department" in r.get_json()["fields"]
    r = roll.api.post("/users", {**base, "username": "cd1", "role": "cadre", "department": "court"})
    assert r.status_code == 400
    made = ok(roll.api.post("/users", {**base, "username": "rv3", "role": "reviewer", "department": "court"}), 201)
    assert made["department"] == "court" and made["role"] == "reviewer"


def test_liaoning_2014_has_no_review_qualified_is_set_by_hand_and_verdicts_are_refused(roll: Roll) -> None:
    api = roll.api
    reviewers(roll)
    ln = [e for e in ok(api.get("/communities/210102001001"))["elections"]
          if e["campaign"] == "LN2014" and e["body"] == "party"][0]["id"]
    ok(api.put(f"/elections/{ln}/seats", {"member": 5}, who="cadre"))
    ok(api.patch(f"/elections/{ln}/facts", {"facts": PREP}, who="cadre"))
    fire(roll, ln, "open_nomination")
    ids = [ok(api.post(f"/elections/{ln}/candidates", {"name": n, "post": "member", "full_member": True,
                                                      "qualified": True}, who="cadre"), 201)["id"]
           for n in ("甲", "乙", "丙", "丁", "戊", "己")]
    detail = ok(api.get(f"/elections/{ln}"))
    assert all("review" not in c and c["qualified"] for c in detail["candidates"])
    r = api.put(f"/candidates/{ids[0]}/reviews/court", {"verdict": "pass"}, who="rv_court")
    assert r.status_code == 409 and r.get_json()["error"] == "invalid_state"
    ok(api.patch(f"/elections/{ln}/facts", {"facts": {
        "member_mass_recommendation_done": True, "superior_recommendation_done": True,
        "candidate_list_reported": True}}, who="cadre"))
    ok(api.patch(f"/elections/{ln}/facts", {"facts": {"candidate_list_approved": True}}, who="street"))
    fire(roll, ln, "open_candidate_meeting")
