"""Contract tests: campaigns, launch, order overrides, bulk acceptance and progress."""
from __future__ import annotations

from tests.e2e.api_support import Api, api, assert_error  # noqa: F401
from tests.support import DUE

NEW = {"code": "SY2014", "name": "沈阳市和平区换届", "rule_set": "liaoning-2014", "scope": "210102",
       "order": "concurrent", "due": DUE}


def test_a_campaign_is_created_listed_and_launched_once(api: Api) -> None:
    r = api.post("/campaigns", NEW, who="county")
    assert r.status_code == 201
    body = r.get_json()
    assert (body["code"], body["scope"], body["order"], body["rule_set"]) == ("SY2014", "210102", "concurrent",
                                                                              "liaoning-2014")
    assert body["due"] == DUE and body["launched_at"] is None
    assert [c["code"] for c in api.get("/campaigns", who="cadre").get_json()["items"]] == ["SY2014", "LN2014"]
    assert [c["code"] for c in api.get("/campaigns", who="othercadre").get_json()["items"]] == ["LN2014"]
    assert_error(api.get("/campaigns/SY2014", who="othercadre"), 404, "not_found")
    assert api.get("/campaigns/SY2014").get_json()["code"] == "SY2014"
    assert_error(api.post("/campaigns/SY2014/launch", who="cadre"), 403, "forbidden")
    assert api.post("/campaigns/SY2014/launch", who="county").get_json() == {"created": 4}
    assert api.post("/campaigns/SY2014/launch", who="county").get_json() == {"created": 0}
    assert_error(api.post("/campaigns/SY2014/launch", {"now": True}), 400, "invalid_request")
    assert_error(api.post("/campaigns/NOPE/launch", {"now": True}), 404, "not_found")
    assert_error(api.post("/campaigns", NEW), 409, "duplicate")


def test_a_campaign_body_is_checked_field_by_field(api: Api) -> None:
    fields = assert_error(api.post("/campaigns", {"code": "X", "rule_set": "liaoning-2014", "scope": "210102",
                                                  "order": "random", "due": {**DUE, "voting": "2015-13-01"},
                                                  "budget": 1}), 400, "invalid_request")["fields"]
    assert set(fields) == {"name", "order", "due.voting", "budget"}
    missing = {k: v for k, v in DUE.items() if k != "summary"}
    assert "due.summary" in assert_error(api.post("/campaigns", {**NEW, "due": missing}), 400,
                                         "invalid_request")["fields"]
    backwards = {**DUE, "nomination": "2014-12-01"}
    assert "due" in assert_error(api.post("/campaigns", {**NEW, "due": backwards}), 400, "invalid_request")["fields"]
    assert "rule_set" in assert_error(api.post("/campaigns", {**NEW, "rule_set": "mars-2099"}), 400,
                                      "invalid_request")["fields"]
    assert_error(api.post("/campaigns", {**NEW, "scope": "210103"}, who="county"), 404, "not_found")
    assert_error(api.post("/campaigns", NEW, who="inspector"), 403, "forbidden")


def test_a_supervisor_overrides_the_order_for_one_community(api: Api) -> None:
    r = api.put("/campaigns/LN2014/order/210102001001", {"order": "concurrent"}, who="street")
    assert r.status_code == 200
    assert r.get_json() == {"campaign": "LN2014", "community": "210102001001", "order": "concurrent"}
    assert api.get(f"/elections/{api.election('a_residents')}").get_json()["order"] == "concurrent"
    assert_error(api.put("/campaigns/LN2014/order/210102001001", {"order": "concurrent"}, who="cadre"),
                 403, "forbidden")
    assert_error(api.put("/campaigns/LN2014/order/210103001001", {"bad": 1}, who="street"), 404, "not_found")
    assert_error(api.put("/campaigns/NOPE/order/210102001001", {"order": "concurrent"}), 404, "not_found")
    assert "order" in assert_error(api.put("/campaigns/LN2014/order/210102001001", {"order": "later"}),
                                   400, "invalid_request")["fields"]


def test_bulk_acceptance_fires_accept_summary_where_the_guards_hold(api: Api) -> None:
    api.advance("a_party", "summary")
    api.advance("a_residents", "summary")
    p = api.election("a_party")
    api.put(f"/elections/{p}/facts/summary_written", {"value": True}, who="city")
    assert_error(api.post("/campaigns/LN2014/accept", {"region": "210102"}, who="county"), 403, "forbidden")
    assert_error(api.post("/campaigns/LN2014/accept", {"region": "210102001"}, who="street"), 403, "forbidden")
    assert_error(api.post("/campaigns/LN2014/accept", {"region": "210102"}, who="street"), 404, "not_found")
    r = api.post("/campaigns/LN2014/accept", {"region": "210102"}, who="city", lang="en")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["accepted"] == 1 and len(body["skipped"]) == 1
    assert body["skipped"][0]["id"] == api.election("a_residents")
    # the bulk action is the inspection: it records inspection_accepted; summary_written is still needed
    assert {u["code"] for u in body["skipped"][0]["unmet"]} == {"summary_written"}
    assert api.get(f"/elections/{p}").get_json()["state"] == "closed"
    assert api.get(f"/elections/{p}").get_json()["facts"]["inspection_accepted"] is True
    assert "inspection_accepted" not in api.get(f"/elections/{api.election('a_residents')}").get_json()["facts"]
    assert_error(api.post("/campaigns/LN2014/accept", {}), 400, "invalid_request")
    assert_error(api.post("/campaigns/LN2014/accept", {"region": "999"}), 404, "not_found")
    assert_error(api.post("/campaigns/NOPE/accept", {"bad": 1}), 404, "not_found")


def test_progress_counts_every_state_per_body_with_zeros(api: Api) -> None:
    api.advance("a_party", "nomination")
    body = api.get("/campaigns/LN2014/progress?region=210102").get_json()
    assert body["campaign"] == "LN2014" and body["region"] == "210102" and body["communities"] == 2
    party = body["bodies"]["party"]
    assert set(party["states"]) == {"preparation", "nomination", "candidate_meeting", "voting", "certification",
                                    "handover", "summary", "closed", "suspended"}
    assert party["states"]["nomination"] == 1 and party["states"]["preparation"] == 1
    assert (party["overdue"], party["suspended"]) == (0, 0)
    assert sum(body["bodies"]["residents"]["states"].values()) == 2
    whole = api.get("/campaigns/LN2014/progress").get_json()
    assert whole["region"] == "210000" and whole["communities"] == 3
    assert api.get("/campaigns/LN2014/progress", who="cadre").get_json()["region"] == "210102001"
    assert_error(api.get("/campaigns/LN2014/progress?region=210103", who="cadre"), 404, "not_found")
    assert_error(api.get("/campaigns/NOPE/progress"), 404, "not_found")
    assert_error(api.get("/campaigns/LN2014/progress?region="), 400, "invalid_request")
