"""Contract tests: candidates, voting rounds evaluated by the engine, certificates."""
from __future__ import annotations

from tests.e2e.api_support import Api, api, assert_error  # noqa: F401


def test_a_candidate_needs_only_name_and_post_and_changes_only_during_nomination(api: Api) -> None:
    e = api.election("a_party")
    assert_error(api.post(f"/elections/{e}/candidates", {"name": "王芳", "post": "member"}, who="cadre"),
                 409, "invalid_state")
    api.advance("a_party", "nomination")
    r = api.post(f"/elections/{e}/candidates", {"name": "王芳", "post": "member"}, who="cadre")
    assert r.status_code == 201
    cand = r.get_json()
    assert cand["name"] == "王芳" and cand["election"] == e and isinstance(cand["id"], int)
    assert cand["full_member"] is False and cand["withdrawn"] is False and cand["gender"] is None
    full = {"name": "李强", "post": "member", "gender": "m", "birth_year": 1975, "education": "本科",
            "party_member": True, "full_member": True, "qualified": True, "on_election_committee": False,
            "presented": False, "background": "dispatched_cadre", "graduate_recruit": True,
            "dispatched_from": "区民政局"}
    body = api.post(f"/elections/{e}/candidates", full, who="street").get_json()
    assert {k: body[k] for k in full} == full
    fields = assert_error(api.post(f"/elections/{e}/candidates", {"post": "boss", "gender": "x", "birth_year": "1970",
                                                                  "party_member": 1, "nickname": "a"}),
                          400, "invalid_request")["fields"]
    assert set(fields) == {"name", "post", "gender", "birth_year", "party_member", "nickname"}
    assert "post" in assert_error(api.post(f"/elections/{e}/candidates", {"name": "赵", "post": "director"}),
                                  400, "invalid_request")["fields"]  # a party election has members only
    assert_error(api.post(f"/elections/{e}/candidates", {"name": "赵", "post": "member"}, who="inspector"),
                 403, "forbidden")
    assert_error(api.post(f"/elections/{e}/candidates", {"name": "赵", "post": "member"}, who="othercadre"),
                 404, "not_found")


def test_a_candidate_is_patched_or_withdrawn_and_hidden_outside_scope(api: Api) -> None:
    e = api.election("a_party")
    api.advance("a_party", "nomination")
    cid = api.post(f"/elections/{e}/candidates", {"name": "王芳", "post": "member"}, who="cadre").get_json()["id"]
    r = api.patch(f"/candidates/{cid}", {"full_member": True, "education": "大专"}, who="cadre")
    assert r.status_code == 200 and r.get_json()["full_member"] is True and r.get_json()["education"] == "大专"
    assert api.patch(f"/candidates/{cid}", {"withdrawn": True}).get_json()["withdrawn"] is True
    assert "name" in assert_error(api.patch(f"/candidates/{cid}", {"name": None}), 400, "invalid_request")["fields"]
    assert "elected" in assert_error(api.patch(f"/candidates/{cid}", {"elected": True}), 400,
                                     "invalid_request")["fields"]
    assert_error(api.patch(f"/candidates/{cid}", {"withdrawn": False}, who="observer"), 403, "forbidden")
    assert_error(api.call("PATCH", f"/candidates/{cid}", who="othercadre", data="{bad"), 404, "not_found")
    assert_error(api.call("PATCH", "/candidates/999999", data="{bad"), 404, "not_found")


def test_a_round_is_evaluated_by_the_engine_and_bad_counts_are_refused(api: Api) -> None:
    e = api.election("a_party")
    api.advance("a_party", "nomination")
    assert_error(api.post(f"/elections/{e}/rounds", {"kind": "first", "expected": 100, "present": 90,
                                                      "ballots_issued": 90, "ballots_returned": 90,
                                                      "ballots_invalid": 0, "votes": {}}), 409, "invalid_state")
    api.advance("a_party", "voting")
    standing = api.candidates("a_party")
    seats = api.get(f"/elections/{e}").get_json()["seats"]["member"]
    base = {"kind": "first", "expected": 100, "present": 90, "ballots_issued": 90, "ballots_returned": 90,
            "ballots_invalid": 2}
    for bad, field in (({"present": -1}, "present"), ({"expected": 1.5}, "expected"),
                       ({"ballots_issued": True}, "ballots_issued"), ({"ballots_invalid": 91}, "ballots_invalid"),
                       ({"votes": {"999999": 3}}, "votes.999999"), ({"votes": {str(standing[0]): 89}},
                                                                      f"votes.{standing[0]}"),
                       ({"votes": {"abc": 1}}, "votes.abc"), ({"kind": "second"}, "kind"), ({"extra": 1}, "extra")):
        fields = assert_error(api.post(f"/elections/{e}/rounds", {**base, **bad}), 400, "invalid_request")["fields"]
        assert field in fields, (bad, fields)
    missing = assert_error(api.post(f"/elections/{e}/rounds", {"kind": "first"}), 400, "invalid_request")["fields"]
    assert {"expected", "present", "ballots_issued", "ballots_returned", "ballots_invalid"} <= set(missing)
    assert_error(api.post(f"/elections/{e}/rounds", base, who="inspector"), 403, "forbidden")
    votes = {str(c): (80 if i < seats else 10) for i, c in enumerate(standing)}
    r = api.post(f"/elections/{e}/rounds", {**base, "votes": votes}, who="cadre")
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["valid"] is True and body["problems"] == [] and body["unfilled"] == {}
    assert sorted(body["elected"]) == sorted(standing[:seats])
    assert_error(api.post(f"/elections/{e}/rounds", {**base, "votes": votes}), 409, "invalid_state")


def test_a_round_without_quorum_or_with_too_many_ballots_is_recorded_invalid(api: Api) -> None:
    e = api.election("a_party")
    api.advance("a_party", "voting")
    low = api.post(f"/elections/{e}/rounds", {"kind": "first", "expected": 100, "present": 80, "ballots_issued": 80,
                                               "ballots_returned": 80, "ballots_invalid": 0, "votes": {}})
    assert low.status_code == 201 and low.get_json()["valid"] is False
    assert low.get_json()["problems"] == ["quorum_not_met"]
    view = api.get(f"/elections/{e}").get_json()
    api.post(f"/elections/{e}/transitions", {"trigger": "revote", "version": view["version"]}, who="cadre")
    over = api.post(f"/elections/{e}/rounds", {"kind": "revote", "expected": 100, "present": 90, "ballots_issued": 90,
                                                "ballots_returned": 91, "ballots_invalid": 0, "votes": {}})
    assert over.status_code == 201 and over.get_json()["problems"] == ["ballots_inconsistent"]


def test_certificates_go_to_elected_people_and_a_serial_is_issued_once(api: Api) -> None:
    api.advance("a_party", "certification")
    e = api.election("a_residents")
    assert_error(api.post(f"/elections/{e}/certificates", {"candidate": 1, "serial": "LN-1"}), 409, "invalid_state")
    api.advance("a_residents", "certification")
    view = api.get(f"/elections/{e}").get_json()
    elected = [c["id"] for c in view["candidates"] if c["elected"]]
    losing = [c["id"] for c in view["candidates"] if not c["elected"]]
    r = api.post(f"/elections/{e}/certificates", {"candidate": elected[0], "serial": "LN-0001"}, who="cadre")
    assert r.status_code == 201 and r.get_json()["serial"] == "LN-0001" and r.get_json()["candidate"] == elected[0]
    assert_error(api.post(f"/elections/{e}/certificates", {"candidate": elected[1], "serial": "LN-0001"}),
                 409, "duplicate")
    unmet = assert_error(api.post(f"/elections/{e}/certificates", {"candidate": losing[0], "serial": "LN-0002"}),
                         409, "guard_failed")["unmet"]
    assert [u["code"] for u in unmet] == ["candidate_elected"]
    assert_error(api.post(f"/elections/{e}/certificates", {"candidate": 999999, "serial": "LN-0003"}),
                 409, "guard_failed")
    fields = assert_error(api.post(f"/elections/{e}/certificates", {"candidate": "1", "serial": ""}),
                          400, "invalid_request")["fields"]
    assert set(fields) == {"candidate", "serial"}
    assert_error(api.post(f"/elections/{e}/certificates", {"candidate": elected[1], "serial": "LN-9"},
                          who="inspector"), 403, "forbidden")
    after = api.get(f"/elections/{e}").get_json()
    assert {c["id"]: c["certificate"] for c in after["candidates"]}[elected[0]] == "LN-0001"
