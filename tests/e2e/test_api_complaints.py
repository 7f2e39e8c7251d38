"""Contract tests: filing and resolving complaints."""
from __future__ import annotations

from tests.e2e.api_support import Api, api, assert_error  # noqa: F401

COMPLAINT = {"category": "procedure", "candidate": None, "received_on": "2014-12-08", "summary": "选民名单未公示"}


def test_a_complaint_is_filed_with_its_due_date_by_cadres_supervisors_and_inspectors(api: Api) -> None:
    e = api.election("a_party")
    r = api.post(f"/elections/{e}/complaints", COMPLAINT, who="inspector")
    assert r.status_code == 201
    body = r.get_json()
    assert body["due_on"] == "2015-01-07" and body["open"] is True and body["election"] == e
    assert api.get(f"/complaints/{body['id']}", who="cadre").get_json()["summary"] == "选民名单未公示"
    assert api.post(f"/elections/{e}/complaints", COMPLAINT, who="cadre").status_code == 201
    assert_error(api.post(f"/elections/{e}/complaints", COMPLAINT, who="observer"), 403, "forbidden")
    assert_error(api.post(f"/elections/{e}/complaints", COMPLAINT, who="othercadre"), 404, "not_found")
    assert_error(api.get(f"/complaints/{body['id']}", who="othercadre"), 404, "not_found")
    fields = assert_error(api.post(f"/elections/{e}/complaints", {"category": "rumour", "candidate": "1",
                                                                  "received_on": "08/12/2014", "x": 1}),
                          400, "invalid_request")["fields"]
    assert set(fields) == {"category", "candidate", "received_on", "summary", "x"}
    assert "candidate" in assert_error(api.post(f"/elections/{e}/complaints", {**COMPLAINT, "candidate": 99999}),
                                       400, "invalid_request")["fields"]
    assert_error(api.call("POST", "/elections/999999/complaints", data="{"), 404, "not_found")


def test_resolving_a_complaint_disqualifies_a_candidate_once_and_twice_is_invalid_state(api: Api) -> None:
    e = api.election("a_party")
    api.advance("a_party", "nomination")
    cid = api.post(f"/elections/{e}/candidates", {"name": "贾某", "post": "member"}, who="cadre").get_json()["id"]
    complaint = api.post(f"/elections/{e}/complaints", {**COMPLAINT, "category": "bribery", "candidate": cid},
                         who="cadre").get_json()
    path = f"/complaints/{complaint['id']}/resolve"
    assert_error(api.post(path, {"outcome": "unfounded"}, who="cadre"), 403, "forbidden")
    assert_error(api.post(path, {"outcome": "unfounded"}, who="othercadre"), 404, "not_found")
    assert_error(api.post(path, {"outcome": "void_election"}, who="inspector"), 409, "invalid_state")
    fields = assert_error(api.post(path, {"outcome": "pardon", "referral": "army", "y": 0}), 400,
                          "invalid_request")["fields"]
    assert set(fields) == {"outcome", "referral", "y"}
    r = api.post(path, {"outcome": "disqualify_candidate", "note": "查实贿选", "referral": "discipline"},
                 who="inspector")
    assert r.status_code == 200
    assert (r.get_json()["outcome"], r.get_json()["referral"], r.get_json()["open"]) == (
        "disqualify_candidate", "discipline", False)
    assert api.get(f"/elections/{e}").get_json()["candidates"][-1]["disqualified"] is True
    assert_error(api.post(path, {"outcome": "unfounded"}, who="street"), 409, "invalid_state")
    assert_error(api.post("/complaints/999999/resolve", {"outcome": "x"}), 404, "not_found")


def test_voiding_an_election_sends_it_back_to_voting(api: Api) -> None:
    api.advance("a_party", "certification")
    e = api.election("a_party")
    winner = next(c["id"] for c in api.get(f"/elections/{e}").get_json()["candidates"] if c["elected"])
    complaint = api.post(f"/elections/{e}/complaints", {**COMPLAINT, "category": "bribery", "candidate": winner},
                         who="inspector").get_json()
    r = api.post(f"/complaints/{complaint['id']}/resolve", {"outcome": "void_election", "referral": None},
                 who="inspector")
    assert r.status_code == 200
    view = api.get(f"/elections/{e}").get_json()
    assert view["state"] == "voting" and view["round_permit"] == "by_election"  # rev. 2: a by-election fills it
    assert any(ev["trigger"] == "void_result" for ev in api.get(f"/elections/{e}/history?per_page=500")
               .get_json()["items"])
