"""A whole party election scripted over HTTP only, as a user would with curl: sign in, record, fire."""
from __future__ import annotations

from typing import Any

from tests.e2e.api_support import Api, api  # noqa: F401
from tests.support import PASSWORD


def test_a_party_election_is_scripted_from_preparation_to_closed_over_the_api(api: Api) -> None:
    client = api.app.test_client()

    def sign_in(username: str) -> dict[str, str]:
        r = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200
        return {"Authorization": f"Bearer {r.get_json()['token']}"}

    cadre, street, city = sign_in("cadre"), sign_in("street"), sign_in("city")

    def call(method: str, path: str, who: dict[str, str], body: Any = None, status: int = 200) -> Any:
        r = client.open(f"/api/v1{path}", method=method, json=body, headers=who)
        assert r.status_code == status, (method, path, r.get_json())
        return r.get_json()

    community = call("GET", "/communities/210102001001?campaign=LN2014", cadre)
    e = next(x["id"] for x in community["elections"] if x["body"] == "party")
    version = call("GET", f"/elections/{e}", cadre)["version"]

    def facts(who: dict[str, str], *keys: str) -> None:
        call("PATCH", f"/elections/{e}/facts", who, {"facts": {k: True for k in keys}})

    def fire(trigger: str, who: dict[str, str] = cadre) -> None:
        nonlocal version
        version = call("POST", f"/elections/{e}/transitions", who, {"trigger": trigger, "version": version})["version"]

    call("PUT", f"/elections/{e}/seats", cadre, {"member": 5})
    facts(cadre, "leadership_group_formed", "work_plan_approved", "staff_trained", "publicity_done",
          "funding_secured", "org_setup_confirmed")
    fire("open_nomination")
    ids = [call("POST", f"/elections/{e}/candidates", cadre, {"name": f"候选人{i}", "post": "member",
                                                               "party_member": True, "full_member": True},
                status=201)["id"] for i in range(6)]
    facts(cadre, "member_mass_recommendation_done", "superior_recommendation_done", "candidate_list_reported")
    facts(street, "candidate_list_approved")
    fire("open_candidate_meeting")
    facts(cadre, "candidates_introduced", "polling_arrangements_ready")
    fire("open_voting")
    result = call("POST", f"/elections/{e}/rounds", cadre, {
        "kind": "first", "expected": 120, "present": 110, "ballots_issued": 110, "ballots_returned": 110,
        "ballots_invalid": 1, "votes": {str(c): (100 - i if i < 5 else 8) for i, c in enumerate(ids)}}, status=201)
    assert result["valid"] is True and sorted(result["elected"]) == sorted(ids[:5]) and result["unfilled"] == {}
    facts(cadre, "public_count_done", "result_announced")
    fire("announce_result")
    posts = call("PUT", f"/elections/{e}/posts", cadre, {"secretary": ids[0], "deputy_secretaries": [ids[1]],
                                                         "full_time_deputy": ids[1]})
    assert posts == {"secretary": ids[0], "deputy_secretaries": [ids[1]], "full_time_deputy": ids[1]}
    facts(cadre, "secretary_approved", "result_filed")
    fire("certify")
    facts(cadre, "handover_done", "new_cadres_trained", "term_plan_made", "annual_plan_made",
          "disclosure_system_set", "unsuccessful_candidates_talked")
    fire("complete_handover")
    facts(cadre, "summary_written")
    facts(city, "inspection_accepted")
    fire("accept_summary", city)
    final = call("GET", f"/elections/{e}", cadre)
    assert (final["state"], final["version"], final["transitions"]) == ("closed", 8, [])
    history = call("GET", f"/elections/{e}/history?per_page=500", cadre)["items"]
    assert [h["to"] for h in history if h["action"] == "transition"] == [
        "nomination", "candidate_meeting", "voting", "certification", "handover", "summary", "closed"]
