"""Contract tests: an election, its seats and facts, transitions in the contract's check order, history."""
from __future__ import annotations

from tests.e2e.api_support import Api, api, assert_error  # noqa: F401

PREP_PARTY = ("leadership_group_formed", "work_plan_approved", "staff_trained", "publicity_done",
              "funding_secured", "org_setup_confirmed")


def ready_for_nomination(api: Api, key: str = "a_party") -> int:
    e = api.election(key)
    assert api.put(f"/elections/{e}/seats", {"member": 5}, who="cadre").status_code == 200
    r = api.patch(f"/elections/{e}/facts", {"facts": {k: True for k in PREP_PARTY}}, who="cadre")
    assert r.status_code == 200, r.get_json()
    return e


def fire(api: Api, e: int, trigger: str, version: int, who: str = "cadre", **extra: object) -> object:
    return api.post(f"/elections/{e}/transitions", {"trigger": trigger, "version": version, **extra}, who=who)


def test_an_election_shows_state_version_facts_and_transitions_evaluated_for_the_caller(api: Api) -> None:
    e = api.election("a_party")
    body = api.get(f"/elections/{e}", who="cadre").get_json()
    assert {"id", "campaign", "community", "body", "state", "version", "due", "overdue", "seats", "facts",
            "candidates", "rounds", "transitions"} <= set(body)
    assert (body["id"], body["campaign"], body["community"], body["body"]) == (e, "LN2014", "210102001001", "party")
    assert (body["state"], body["version"], body["due"], body["overdue"]) == ("preparation", 1, "2014-12-31", False)
    offered = {t["trigger"]: t for t in body["transitions"]}
    assert set(offered) == {"open_nomination", "suspend"}
    assert offered["open_nomination"]["dest"] == "nomination"
    assert offered["open_nomination"]["allowed"] is False
    assert {"leadership_group_formed", "seats_in_range"} <= {u["code"] for u in offered["open_nomination"]["unmet"]}
    assert offered["suspend"]["unmet"][0]["code"] == "forbidden"  # a cadre may not suspend
    inspector = api.get(f"/elections/{e}", who="inspector").get_json()
    assert all(t["allowed"] is False for t in inspector["transitions"])


def test_an_election_outside_the_callers_scope_is_not_found(api: Api) -> None:
    e = api.election("a_party")
    assert_error(api.get(f"/elections/{e}", who="othercadre"), 404, "not_found")
    assert_error(api.get("/elections/999999"), 404, "not_found")
    assert_error(api.get("/elections/99999999999999999999999"), 404, "not_found")
    assert_error(api.get(f"/elections/{e}", who=None), 401, "unauthenticated")
    assert_error(api.get(f"/elections/{e}", token="not-a-token"), 401, "unauthenticated")


def test_seats_are_set_in_preparation_and_checked_per_body(api: Api) -> None:
    p, r = api.election("a_party"), api.election("a_residents")
    ok = api.put(f"/elections/{p}/seats", {"member": 7}, who="cadre")
    assert ok.status_code == 200 and ok.get_json()["seats"] == {"member": 7}
    ok = api.put(f"/elections/{r}/seats", {"director": 1, "deputy_director": 1, "member": 3}, who="cadre")
    assert ok.get_json()["seats"] == {"director": 1, "deputy_director": 1, "member": 3}
    assert "director" in assert_error(api.put(f"/elections/{r}/seats", {"director": 2, "member": 3}),
                                      400, "invalid_request")["fields"]
    assert "director" in assert_error(api.put(f"/elections/{p}/seats", {"director": 1}), 400,
                                      "invalid_request")["fields"]
    assert assert_error(api.put(f"/elections/{p}/seats", {"member": -1}), 400, "invalid_request")["fields"] == {
        "member": "必须在0到99之间"}
    assert "member" in assert_error(api.put(f"/elections/{p}/seats", {"member": "7"}), 400,
                                    "invalid_request")["fields"]
    assert "chairs" in assert_error(api.put(f"/elections/{p}/seats", {"chairs": 7}), 400,
                                    "invalid_request")["fields"]
    assert_error(api.put(f"/elections/{p}/seats", {"member": 7}, who="inspector"), 403, "forbidden")
    assert_error(api.put(f"/elections/{p}/seats", {"member": 7}, who="othercadre"), 404, "not_found")
    api.advance("a_party", "nomination")
    assert_error(api.put(f"/elections/{p}/seats", {"member": 7}, who="cadre"), 409, "invalid_state")


def test_facts_are_recorded_changed_and_retracted_with_their_types_checked(api: Api) -> None:
    p, r = api.election("a_party"), api.election("a_residents")
    ok = api.put(f"/elections/{p}/facts/staff_trained", {"value": True, "note": "培训两次"}, who="cadre")
    assert ok.status_code == 200
    assert ok.get_json()["value"] is True and ok.get_json()["recorded_by"] == "cadre"
    assert api.put(f"/elections/{r}/facts/election_day", {"value": "2015-02-01"}).get_json()["value"] == "2015-02-01"
    assert api.put(f"/elections/{r}/facts/election_mode", {"value": "household"}).status_code == 200
    retracted = api.put(f"/elections/{p}/facts/staff_trained", {"value": None}, who="cadre")
    assert retracted.status_code == 200 and retracted.get_json()["value"] is None
    assert api.get(f"/elections/{p}").get_json()["facts"]["staff_trained"] is None
    assert_error(api.put(f"/elections/{r}/facts/election_day", {"value": "2015-02-30"}), 400, "invalid_request")
    assert_error(api.put(f"/elections/{r}/facts/election_mode", {"value": "lottery"}), 400, "invalid_request")
    assert_error(api.put(f"/elections/{p}/facts/staff_trained", {"value": "yes"}), 400, "invalid_request")
    assert_error(api.put(f"/elections/{p}/facts/election_day", {"value": "2015-02-01"}), 400, "invalid_request")
    assert_error(api.put(f"/elections/{p}/facts/no_such_fact", {"value": True}), 400, "invalid_request")
    assert "value" in assert_error(api.put(f"/elections/{p}/facts/staff_trained", {}), 400,
                                   "invalid_request")["fields"]
    assert "extra" in assert_error(api.put(f"/elections/{p}/facts/staff_trained", {"value": True, "extra": 1}),
                                   400, "invalid_request")["fields"]
    assert_error(api.put(f"/elections/{p}/facts/candidate_list_approved", {"value": True}, who="cadre"),
                 403, "forbidden")
    assert api.put(f"/elections/{p}/facts/candidate_list_approved", {"value": True}, who="street").status_code == 200
    assert_error(api.put(f"/elections/{p}/facts/inspection_accepted", {"value": True}, who="county"),
                 403, "forbidden")
    assert api.put(f"/elections/{p}/facts/inspection_accepted", {"value": True}, who="city").status_code == 200
    for who in ("inspector", "observer"):
        assert_error(api.put(f"/elections/{p}/facts/staff_trained", {"value": True}, who=who), 403, "forbidden")
    assert_error(api.put(f"/elections/{p}/facts/staff_trained", {"value": True}, who="othercadre"), 404,
                 "not_found")


def test_several_facts_are_recorded_at_once_or_not_at_all(api: Api) -> None:
    p = api.election("a_party")
    r = api.patch(f"/elections/{p}/facts", {"facts": {"staff_trained": True, "publicity_done": True}}, who="cadre")
    assert r.status_code == 200 and {f["key"] for f in r.get_json()["facts"]} == {"staff_trained", "publicity_done"}
    bad = api.patch(f"/elections/{p}/facts", {"facts": {"funding_secured": True, "election_day": "2015-01-01"}})
    assert_error(bad, 400, "invalid_request")
    assert "funding_secured" not in api.get(f"/elections/{p}").get_json()["facts"]
    assert_error(api.patch(f"/elections/{p}/facts", {"facts": {}}), 400, "invalid_request")


def test_transition_checks_run_in_the_contract_order(api: Api) -> None:
    e = api.election("a_party")
    # 401 before 404
    assert_error(api.post("/elections/999999/transitions", {"trigger": "x"}, who=None), 401, "unauthenticated")
    # 404 (missing or out of scope) before 400
    assert_error(api.call("POST", f"/elections/{e}/transitions", who="othercadre", data="{oops"), 404, "not_found")
    assert_error(api.call("POST", "/elections/999999/transitions", data="{oops"), 404, "not_found")
    # 400: malformed JSON, unknown trigger, wrong types, unknown and missing fields, note for suspend
    assert_error(api.call("POST", f"/elections/{e}/transitions", data="{oops"), 400, "invalid_request")
    assert "trigger" in assert_error(fire(api, e, "no_such_trigger", 999, who="inspector"), 400,
                                     "invalid_request")["fields"]
    fields = assert_error(api.post(f"/elections/{e}/transitions", {"trigger": 5, "version": "1", "x": 1}), 400,
                          "invalid_request")["fields"]
    assert set(fields) == {"trigger", "version", "x"}
    assert set(assert_error(api.post(f"/elections/{e}/transitions", {}), 400, "invalid_request")["fields"]) == {
        "trigger", "version"}
    assert_error(api.post(f"/elections/{e}/transitions", [1, 2]), 400, "invalid_request")
    assert "note" in assert_error(fire(api, e, "suspend", 1, who="street"), 400, "invalid_request")["fields"]
    assert "review_on" in assert_error(fire(api, e, "open_nomination", 1, review_on="2015-01-01"), 400,
                                       "invalid_request")["fields"]
    # 409 invalid_trigger before 403: an inspector asking for a step not possible from here
    assert_error(fire(api, e, "announce_result", 1, who="inspector"), 409, "invalid_trigger")
    assert_error(fire(api, e, "void_result", 1, who="admin"), 409, "invalid_trigger")
    assert_error(fire(api, e, "resume", 1, who="street"), 409, "invalid_trigger")
    # 403 before version_conflict
    assert_error(fire(api, e, "open_nomination", 99, who="inspector"), 403, "forbidden")
    assert_error(fire(api, e, "suspend", 99, who="cadre", note="x"), 403, "forbidden")
    assert_error(fire(api, e, "open_nomination", 1, who="observer"), 403, "forbidden")
    # version_conflict before guard_failed
    assert_error(fire(api, e, "open_nomination", 99), 409, "version_conflict")
    # guard_failed lists every failing guard
    unmet = assert_error(fire(api, e, "open_nomination", 1), 409, "guard_failed")["unmet"]
    assert {u["code"] for u in unmet} == {"leadership_group_formed", "work_plan_approved", "staff_trained",
                                          "publicity_done", "funding_secured", "org_setup_confirmed",
                                          "seats_in_range"}
    assert all(u["message"] for u in unmet)
    assert api.get(f"/elections/{e}").get_json()["version"] == 1


def test_a_transition_moves_the_state_and_version_and_leaves_one_audit_row(api: Api) -> None:
    e = ready_for_nomination(api)
    r = fire(api, e, "open_nomination", 1, note="准备工作完成")
    assert r.status_code == 200 and r.get_json() == {"id": e, "state": "nomination", "version": 2}
    assert_error(fire(api, e, "open_nomination", 1), 409, "invalid_trigger")
    events = [ev for ev in api.get(f"/elections/{e}/history").get_json()["items"] if ev["action"] == "transition"]
    assert len(events) == 1
    assert (events[0]["from"], events[0]["to"], events[0]["trigger"], events[0]["note"], events[0]["actor"]) == (
        "preparation", "nomination", "open_nomination", "准备工作完成", "cadre")


def test_a_supervisor_suspends_with_a_note_and_resumes_to_the_same_state(api: Api) -> None:
    e = api.election("a_party")
    r = fire(api, e, "suspend", 1, who="street", note="宗族干扰", review_on="2014-12-20")
    assert r.get_json() == {"id": e, "state": "suspended", "version": 2}
    view = api.get(f"/elections/{e}").get_json()
    assert (view["suspended_from"], view["review_on"]) == ("preparation", "2014-12-20")
    assert [t["trigger"] for t in view["transitions"]] == ["resume"]
    assert_error(fire(api, e, "resume", 2, who="cadre"), 403, "forbidden")
    assert fire(api, e, "resume", 2, who="county").get_json()["state"] == "preparation"


def test_messages_follow_accept_language(api: Api) -> None:
    e = api.election("a_party")
    zh = assert_error(fire(api, e, "open_nomination", 99), 409, "version_conflict")
    en = assert_error(api.post(f"/elections/{e}/transitions", {"trigger": "open_nomination", "version": 99},
                               who="cadre", lang="en"), 409, "version_conflict")
    assert zh["message"] != en["message"] and "reload" in en["message"]
    en = assert_error(api.post(f"/elections/{e}/transitions", {"version": "x"}, lang="en-US,en;q=0.9"), 400,
                      "invalid_request")
    assert en["fields"] == {"trigger": "Missing data for required field.", "version": "Not a valid integer."}
    zh = assert_error(api.post(f"/elections/{e}/transitions", {"version": "x"}, lang="zh-CN"), 400,
                      "invalid_request")
    assert zh["fields"] == {"trigger": "必填", "version": "必须是整数"}
    unmet = api.get(f"/elections/{e}", lang="en").get_json()["transitions"][0]["unmet"]
    assert unmet[0]["message"].isascii()


def test_history_lists_every_change_oldest_first_and_cannot_be_edited(api: Api) -> None:
    e = ready_for_nomination(api)
    fire(api, e, "open_nomination", 1)
    api.post(f"/elections/{e}/candidates", {"name": "王芳", "post": "member"}, who="cadre")
    page = api.get(f"/elections/{e}/history?per_page=3").get_json()
    assert page["total"] >= 9 and len(page["items"]) == 3 and page["per_page"] == 3
    items = api.get(f"/elections/{e}/history?per_page=500").get_json()["items"]
    actions = [i["action"] for i in items]
    assert actions[0] == "seats_set" and actions[-1] == "candidate_added"
    assert actions.count("fact_recorded") == len(PREP_PARTY) and "transition" in actions
    assert [i["id"] for i in items] == sorted(i["id"] for i in items)
    assert all(i["at"].endswith("+00:00") for i in items)
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        assert_error(api.call(method, f"/elections/{e}/history", json={}), 405, "method_not_allowed")
    assert_error(api.get(f"/elections/{e}/history?per_page=501"), 400, "invalid_request")
    assert_error(api.get(f"/elections/{e}/history?page=0"), 400, "invalid_request")
    assert_error(api.get(f"/elections/{e}/history", who="othercadre"), 404, "not_found")
