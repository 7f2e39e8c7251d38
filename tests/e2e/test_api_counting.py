"""Contract tests of rev. 2 over HTTP: write-ins, polling places, tied and status in responses, a campaign's own
report date."""
from __future__ import annotations

from tests.e2e.api_support import Api, api, assert_error  # noqa: F401
from tests.support import DUE

COUNTS = {"expected": 100, "present": 100, "ballots_issued": 100, "ballots_returned": 100, "ballots_invalid": 0}


def test_a_round_takes_write_ins_and_polling_places_and_answers_tied_and_candidate_status(api: Api) -> None:
    e = api.election("a_party")
    api.advance("a_party", "voting")
    view = api.get(f"/elections/{e}").get_json()
    c = [x["id"] for x in view["candidates"] if x["status"] == "standing"]
    n = view["seats"]["member"]  # the walker chose 5 or 7: n - 2 win, three tie for the last two seats
    both = {"kind": "first", **COUNTS, "stations": [{"name": "中心会场", "ballots_issued": 1, "ballots_returned": 1,
                                                     "ballots_invalid": 0, "votes": {}}]}
    fields = assert_error(api.post(f"/elections/{e}/rounds", both), 400, "invalid_request")["fields"]
    assert {"ballots_issued", "ballots_returned", "ballots_invalid"} <= set(fields)
    clash = {"kind": "first", **COUNTS, "votes": {str(c[0]): 80},
             "write_ins": [{"name": view["candidates"][1]["name"], "post": "member", "votes": 5}]}
    assert "write_ins.0.name" in assert_error(api.post(f"/elections/{e}/rounds", clash), 400,
                                              "invalid_request")["fields"]
    stations = [{"name": "中心会场", "ballots_issued": 70, "ballots_returned": 70, "ballots_invalid": 0,
                 "votes": {**{str(x): 60 for x in c[:n - 2]}, str(c[n - 2]): 40, str(c[n - 1]): 40},
                 "write_ins": [{"name": "另选丙", "post": "member", "votes": 40}]},
                {"name": "流动票箱", "ballots_issued": 30, "ballots_returned": 30, "ballots_invalid": 0,
                 "votes": {**{str(x): 25 for x in c[:n - 2]}, str(c[n - 2]): 20, str(c[n - 1]): 20},
                 "write_ins": [{"name": "另选丙", "post": "member", "votes": 20}]}]
    r = api.post(f"/elections/{e}/rounds", {"kind": "first", "expected": 100, "present": 100, "stations": stations})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    view = api.get(f"/elections/{e}").get_json()
    written = [x for x in view["candidates"] if x["write_in"]]
    assert [(x["name"], x["status"]) for x in written] == [("另选丙", "standing")]
    assert sorted(body["elected"]) == sorted(c[:n - 2]) and body["unfilled"] == {"member": 2}
    assert body["tied"] == {"member": sorted([c[n - 2], c[n - 1], written[0]["id"]])}
    assert {x["id"]: x["status"] for x in view["candidates"]}[c[0]] == "elected"
    assert [s["name"] for s in view["rounds"][0]["stations"]] == ["中心会场", "流动票箱"]
    fire = api.post(f"/elections/{e}/transitions", {"trigger": "another_round", "version": view["version"]})
    assert fire.status_code == 200
    assert api.get(f"/elections/{e}").get_json()["round_permit"] == "tie_break"
    assert_error(api.post(f"/elections/{e}/rounds", {"kind": "another", **COUNTS, "votes": {}}), 409,
                 "invalid_state")


def test_a_campaign_has_its_own_report_date_or_its_summary_due_date_plus_ten_days(api: Api) -> None:
    own = api.post("/campaigns", {"code": "C2026", "name": "2026年换届", "rule_set": "liaoning-2014",
                                  "scope": "210102", "due": DUE, "report_due": "2015-04-30"})
    assert own.status_code == 201 and own.get_json()["report_due"] == "2015-04-30"
    default = api.post("/campaigns", {"code": "C2027", "name": "2027年换届", "rule_set": "liaoning-2014",
                                      "scope": "210102", "due": DUE})
    assert default.get_json()["report_due"] == "2015-04-15"  # summary due 2015-04-05 + 10 days
    assert default.get_json()["report_due_source"] == "summary"
    listed = {c["code"]: c["report_due"] for c in api.get("/campaigns").get_json()["items"]}
    assert listed == {"C2026": "2015-04-30", "C2027": "2015-04-15", "LN2014": "2015-04-10"}
    assert "report_due" in assert_error(api.post("/campaigns", {"code": "C2028", "name": "x", "rule_set":
                                                                "liaoning-2014", "scope": "210102", "due": DUE,
                                                                "report_due": "2015-02-30"}), 400,
                                        "invalid_request")["fields"]
