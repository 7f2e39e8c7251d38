"""Street-wide facts (domain.md §13): preview, skips with reasons, one fact and history row per election."""
from __future__ import annotations

from tests.e2e.api_support import Api, api, assert_error  # noqa: F401

URL = "/campaigns/LN2014/facts"


def _history_facts(api: Api, key: str, election: str) -> list[dict]:
    items = api.get(f"/elections/{api.election(election)}/history?per_page=100").get_json()["items"]
    return [i for i in items if i.get("action") == "fact_recorded" and (i.get("data") or {}).get("key") == key]


def test_a_preview_of_a_street_wide_fact_writes_nothing(api: Api) -> None:
    r = api.post(URL, {"region": "210102001", "body": "both", "key": "staff_trained", "value": True,
                       "preview": True}, who="cadre")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["recorded"] == 4
    for key in ("a_party", "a_residents", "v_party", "v_residents"):
        assert "staff_trained" not in api.get(f"/elections/{api.election(key)}").get_json()["facts"]
        assert _history_facts(api, "staff_trained", key) == []


def test_a_street_wide_fact_gives_each_election_its_own_fact_and_history_row(api: Api) -> None:
    r = api.post(URL, {"region": "210102001", "body": "both", "key": "staff_trained", "value": True,
                       "note": "街道统一培训"}, who="cadre")
    assert r.status_code == 200 and r.get_json()["recorded"] == 4
    for key in ("a_party", "a_residents", "v_party", "v_residents"):
        assert api.get(f"/elections/{api.election(key)}").get_json()["facts"]["staff_trained"] is True
        assert len(_history_facts(api, "staff_trained", key)) == 1
    # the other street's elections are untouched
    assert "staff_trained" not in api.get(f"/elections/{api.election('b_party')}").get_json()["facts"]
    again = api.post(URL, {"region": "210102001", "body": "both", "key": "staff_trained", "value": True},
                     who="cadre").get_json()
    assert again["recorded"] == 0
    assert sorted(s["reason"] for s in again["skipped"]) == ["already_set"] * 4


def test_skips_are_listed_with_their_reasons(api: Api) -> None:
    api.advance("a_party", "closed")
    body = api.post(URL, {"region": "210102001", "body": "both", "key": "org_setup_confirmed", "value": True,
                          "preview": True}, who="street").get_json()
    reasons = {s["id"]: s["reason"] for s in body["skipped"]}
    assert reasons[api.election("a_party")] == "closed"
    assert reasons[api.election("a_residents")] == "other_body"
    assert reasons[api.election("v_residents")] == "other_body"
    assert api.election("v_party") not in reasons and body["recorded"] == 1
    # a fact the current state does not read is recorded all the same, and said so
    late = api.post(URL, {"region": "210102001", "body": "residents", "key": "summary_written", "value": True},
                    who="street").get_json()
    assert late["recorded"] == 2
    residents = {api.election("a_residents"), api.election("v_residents")}
    assert {(s["reason"], s["recorded"]) for s in late["skipped"] if s["id"] in residents} == {("not_read_now", True)}
    assert api.get(f"/elections/{api.election('v_residents')}").get_json()["facts"]["summary_written"] is True


def test_permission_is_checked_per_fact_and_scope(api: Api) -> None:
    # a supervisor's fact: a cadre may not record it
    assert_error(api.post(URL, {"region": "210102001", "body": "party", "key": "candidate_list_approved",
                                "value": True}, who="cadre"), 403, "forbidden")
    ok = api.post(URL, {"region": "210102001", "body": "party", "key": "candidate_list_approved",
                        "value": True}, who="street")
    assert ok.status_code == 200 and ok.get_json()["recorded"] == 2
    # a key of none of the chosen bodies, an unknown key, a wrong value type
    assert "key" in assert_error(api.post(URL, {"region": "210102001", "body": "residents",
                                                "key": "org_setup_confirmed", "value": True}, who="cadre"),
                                 400, "invalid_request")["fields"]
    assert_error(api.post(URL, {"region": "210102001", "body": "both", "key": "nope", "value": True}), 400,
                 "invalid_request")
    assert_error(api.post(URL, {"region": "210102001", "body": "both", "key": "staff_trained", "value": "x"}),
                 400, "invalid_request")
    assert "body" in assert_error(api.post(URL, {"region": "210102001", "body": "all", "key": "staff_trained",
                                                 "value": True}), 400, "invalid_request")["fields"]
    # a cadre only within the own street; readers may not record
    assert_error(api.post(URL, {"region": "210103001", "body": "both", "key": "staff_trained", "value": True},
                          who="cadre"), 404, "not_found")
    assert_error(api.post(URL, {"region": "210102", "body": "both", "key": "staff_trained", "value": True},
                          who="cadre"), 404, "not_found")
    assert_error(api.post(URL, {"region": "210102001", "body": "both", "key": "staff_trained", "value": True},
                          who="observer"), 403, "forbidden")
    assert_error(api.post("/campaigns/NOPE/facts", {"region": "210102001", "body": "both",
                                                    "key": "staff_trained", "value": True}), 404, "not_found")
