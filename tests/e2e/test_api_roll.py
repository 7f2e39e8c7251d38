"""The voter roll over the API (domain.md §10): every check at its edge, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

from tests.e2e.api_support import assert_error
from tests.e2e.roll_support import ELECTION_DAY, Roll, person_body, roll  # noqa: F401
from workflow.identity import make_id_number


def test_a_voter_who_turns_18_on_election_day_registers_and_one_a_day_younger_is_refused(roll: Roll) -> None:
    e = roll.prepare()
    born = ELECTION_DAY.replace(year=ELECTION_DAY.year - 18)
    voter = roll.register(e, n=1, born=born)
    assert voter["status"] == "registered" and voter["birth_date"] == born.isoformat()
    body = roll.register(e, n=2, born=born + dt.timedelta(days=1), status=400)
    assert "birth_date" in body["fields"]


def test_the_id_number_is_masked_in_the_response_and_a_bad_check_digit_is_refused_without_echoing_it(roll: Roll
                                                                                                    ) -> None:
    e = roll.prepare()
    person = person_body(3)
    voter = roll.register(e, **{k: v for k, v in person.items()}, n=3)
    assert voter["id_number"] == person["id_number"][:6] + "********" + person["id_number"][-4:]
    bad = person_body(4)
    bad["id_number"] = bad["id_number"][:-1] + ("0" if bad["id_number"][-1] != "0" else "1")
    r = roll.api.post(f"/elections/{e}/voters", bad, who="cadre")
    body = assert_error(r, 400, "invalid_request")
    assert "id_number" in body["fields"] and bad["id_number"] not in r.get_data(as_text=True)


def test_a_resident_without_hukou_needs_the_rule_sets_months_by_election_day_to_the_day(roll: Roll) -> None:
    e = roll.prepare()
    since = ELECTION_DAY.replace(year=ELECTION_DAY.year - 1)  # 12 months exactly
    roll.register(e, n=5, category="resident", resident_since=since.isoformat())
    body = roll.register(e, n=6, category="resident", resident_since=(since + dt.timedelta(days=1)).isoformat(),
                         status=400)
    assert "resident_since" in body["fields"]
    body = roll.register(e, n=7, category="resident", status=400)
    assert "resident_since" in body["fields"]


def test_registration_needs_a_roll_election_day_and_an_unpublished_roll(roll: Roll) -> None:
    e = roll.elections["a"]
    assert_error(roll.api.post(f"/elections/{e}/voters", person_body(1), who="cadre"), 409, "invalid_state")
    party = roll.elections["a_party"]
    assert_error(roll.api.post(f"/elections/{party}/voters", person_body(1), who="cadre"), 409, "invalid_state")
    liaoning = roll.api.election("a_residents")
    assert_error(roll.api.post(f"/elections/{liaoning}/voters", person_body(1), who="cadre"), 409, "invalid_state")
    roll.prepare()
    assert_error(roll.api.post(f"/elections/{e}/voters", person_body(1), who="observer"), 403, "forbidden")


def test_one_person_is_on_one_roll_per_campaign_and_the_other_community_is_named_only_in_scope(roll: Roll) -> None:
    a, b = roll.prepare("a"), roll.prepare("b")
    roll.register(a, n=8)
    r = roll.api.post(f"/elections/{a}/voters", person_body(8, name="另一个名字"), who="cadre")
    assert "北市社区" in assert_error(r, 409, "duplicate")["message"]
    r = roll.api.post(f"/elections/{b}/voters", person_body(8), who="othercadre")
    body = assert_error(r, 409, "duplicate")
    assert "北市社区" not in body["message"] and "210102001001" not in body["message"]
    r = roll.api.post(f"/elections/{b}/voters", person_body(8), who="admin")
    assert "北市社区" in assert_error(r, 409, "duplicate")["message"]
    summary = roll.api.get(f"/elections/{b}/voters/summary").get_json()
    assert summary["registered"] == 0


def test_removal_keeps_the_reason_and_frees_the_person_for_another_roll(roll: Roll) -> None:
    a, b = roll.prepare("a"), roll.prepare("b")
    voter = roll.register(a, n=9)
    assert_error(roll.api.post(f"/voters/{voter['id']}/remove", {}, who="cadre"), 400, "invalid_request")
    r = roll.api.post(f"/voters/{voter['id']}/remove", {"reason": "已迁出本社区"}, who="cadre")
    assert r.status_code == 200 and r.get_json()["status"] == "removed"
    roll.register(b, who="othercadre", n=9)
    history = roll.api.get(f"/elections/{a}/history?per_page=100").get_json()["items"]
    assert any(h.get("note") == "已迁出本社区" for h in history)


def test_observers_see_the_counts_but_not_the_names(roll: Roll) -> None:
    e = roll.prepare()
    roll.register(e, n=10)
    assert_error(roll.api.get(f"/elections/{e}/voters", who="observer"), 403, "forbidden")
    assert roll.api.get(f"/elections/{e}/voters/summary", who="observer").get_json()["registered"] == 1
    assert roll.api.get(f"/elections/{e}/voters", who="othercadre").status_code == 404


def test_the_roll_is_searched_and_paged(roll: Roll) -> None:
    e = roll.prepare()
    for n in range(1, 8):
        roll.register(e, n=n)
    page = roll.api.get(f"/elections/{e}/voters?per_page=3&page=2").get_json()
    assert page["total"] == 7 and len(page["items"]) == 3 and page["items"][0]["name"] == "选民0004"
    found = roll.api.get(f"/elections/{e}/voters?q=0005").get_json()
    assert [v["name"] for v in found["items"]] == ["选民0005"]


def _publish(roll: Roll, e: int, kind: str = "voter_list", status: int = 201, who: str = "cadre") -> dict:
    r = roll.api.post(f"/elections/{e}/announcements", {"kind": kind}, who=who)
    assert r.status_code == status, r.get_json()
    return r.get_json()


def test_publishing_the_roll_freezes_it_and_records_its_date_which_cannot_be_set_by_hand(roll: Roll) -> None:
    e = roll.prepare()
    v = roll.register(e, n=11)
    for key, value in (("voter_list_published_on", "2026-11-02"), ("voter_objections_resolved", True)):
        r = roll.api.put(f"/elections/{e}/facts/{key}", {"value": value}, who="cadre")
        assert_error(r, 400, "invalid_request")
    first = _publish(roll, e)
    assert first["number"] == 1 and first["supersedes"] is None
    facts = roll.api.get(f"/elections/{e}").get_json()["facts"]
    assert facts["voter_list_published_on"] == "2026-11-02" and facts["voter_objections_resolved"] is True
    assert roll.api.get(f"/elections/{e}/voters/summary").get_json()["published_on"] == "2026-11-02"
    assert_error(roll.api.post(f"/elections/{e}/voters", person_body(12), who="cadre"), 409, "invalid_state")
    assert_error(roll.api.post(f"/voters/{v['id']}/remove", {"reason": "x"}, who="cadre"), 409, "invalid_state")
    roll.at(dt.date(2026, 11, 3))
    second = _publish(roll, e)
    assert second["number"] == 2 and second["supersedes"] == first["id"]
    assert roll.api.get(f"/elections/{e}/voters/summary").get_json()["published_on"] == "2026-11-02"
    listed = roll.api.get(f"/elections/{e}/announcements").get_json()["items"]
    assert [a["superseded"] for a in listed] == [True, False]


def test_an_objection_on_day_5_is_filed_and_on_day_6_refused(roll: Roll) -> None:
    e = roll.prepare()
    roll.register(e, n=13)
    assert_error(roll.api.post(f"/elections/{e}/voter-objections", {"kind": "add", "person": person_body(14),
                                                                     "reason": "漏登"}, who="cadre"),
                 409, "invalid_state")
    _publish(roll, e)
    roll.at(dt.date(2026, 11, 7))
    r = roll.api.post(f"/elections/{e}/voter-objections", {"kind": "add", "person": person_body(14),
                                                            "reason": "漏登"}, who="cadre")
    assert r.status_code == 201 and r.get_json()["due_on"] == "2026-11-10" and r.get_json()["status"] == "open"
    assert "id_hash" not in r.get_json()["person"]
    roll.at(dt.date(2026, 11, 8))
    r = roll.api.post(f"/elections/{e}/voter-objections", {"kind": "add", "person": person_body(15),
                                                            "reason": "漏登"}, who="cadre")
    assert_error(r, 409, "invalid_state")
    r = roll.api.post(f"/elections/{e}/voter-objections", {"kind": "add", "person": person_body(15),
                                                            "reason": "漏登", "filed_on": "2026-11-01"}, who="cadre")
    assert_error(r, 400, "invalid_request")


def test_an_upheld_objection_changes_the_roll_and_the_resolved_fact_follows_the_open_objections(roll: Roll) -> None:
    e = roll.prepare()
    v = roll.register(e, n=16)
    _publish(roll, e)
    add = roll.api.post(f"/elections/{e}/voter-objections", {"kind": "add", "person": person_body(17),
                                                              "reason": "漏登"}, who="cadre").get_json()
    rem = roll.api.post(f"/elections/{e}/voter-objections", {"kind": "remove", "voter": v["id"],
                                                              "reason": "已去世"}, who="cadre").get_json()

    def resolved() -> object:
        return roll.api.get(f"/elections/{e}").get_json()["facts"]["voter_objections_resolved"]

    assert resolved() is False
    r = roll.api.post(f"/voter-objections/{add['id']}/decide", {"decision": "upheld", "note": "核实"}, who="cadre")
    assert r.status_code == 200 and r.get_json()["status"] == "upheld"
    assert_error(roll.api.post(f"/voter-objections/{add['id']}/decide", {"decision": "rejected"}, who="cadre"),
                 409, "invalid_state")
    assert resolved() is False
    roll.api.post(f"/voter-objections/{rem['id']}/decide", {"decision": "upheld"}, who="cadre")
    assert resolved() is True
    names = [x["name"] for x in roll.api.get(f"/elections/{e}/voters").get_json()["items"]]
    assert names == ["选民0017"]


def test_a_late_objection_escalates_on_day_4_not_on_day_3(roll: Roll) -> None:
    e = roll.prepare()
    roll.register(e, n=18)
    _publish(roll, e)
    o = roll.api.post(f"/elections/{e}/voter-objections", {"kind": "add", "person": person_body(19),
                                                            "reason": "漏登"}, who="cadre").get_json()
    assert o["due_on"] == "2026-11-05"
    on_day_3 = roll.api.post("/admin/sweep", {"at": "2026-11-05T12:00:00+08:00"}).get_json()
    rungs = roll.api.get("/escalations?open=true&kind=objection").get_json()["items"]
    assert [x for x in rungs if x["subject"] == o["id"]] == [], on_day_3
    roll.api.post("/admin/sweep", {"at": "2026-11-06T12:00:00+08:00"})
    rungs = [x for x in roll.api.get("/escalations?open=true&kind=objection").get_json()["items"]
             if x["subject"] == o["id"]]
    assert [(x["kind"], x["level"], x["election"]) for x in rungs] == [("objection", 1, e)]
    roll.at(dt.date(2026, 11, 6))
    roll.api.post(f"/voter-objections/{o['id']}/decide", {"decision": "rejected", "note": "不属实"}, who="cadre")
    assert [x for x in roll.api.get("/escalations?open=true&kind=objection").get_json()["items"]
            if x["subject"] == o["id"]] == []


def test_a_holder_takes_three_proxies_and_the_fourth_is_refused_and_none_once_voting_opened(roll: Roll) -> None:
    e = roll.prepare()
    ids = [roll.register(e, n=n)["id"] for n in range(20, 26)]
    holder = ids[0]
    for voter in ids[1:4]:
        r = roll.api.post(f"/voters/{voter}/proxy", {"holder": holder}, who="cadre")
        assert r.status_code == 201 and r.get_json()["proxy_holder"] == holder
    assert_error(roll.api.post(f"/voters/{ids[4]}/proxy", {"holder": holder}, who="cadre"), 409, "invalid_state")
    assert_error(roll.api.post(f"/voters/{ids[1]}/proxy", {"holder": ids[5]}, who="cadre"), 409, "invalid_state")
    assert roll.api.post(f"/voters/{ids[4]}/proxy", {"holder": ids[5]}, who="cadre").status_code == 201
    assert roll.api.get(f"/elections/{e}/voters/summary").get_json()["proxies"] == 4


def test_the_calendar_counts_back_from_election_day_and_moves_the_due_date(roll: Roll) -> None:
    e = roll.elections["a"]
    before = roll.api.get(f"/elections/{e}/calendar").get_json()
    assert before["election_day"] is None and before["deadlines"] == []
    assert before["steps"][0] == {**before["steps"][0], "state": "preparation", "due": "2026-11-30",
                                  "source": "campaign"}
    roll.prepare()
    cal = roll.api.get(f"/elections/{e}/calendar").get_json()
    due = {s["state"]: (s["due"], s["source"]) for s in cal["steps"]}
    assert due["preparation"] == ("2026-11-11", "election_day")  # D-25 before the campaign's 11-30
    assert due["nomination"] == ("2026-11-30", "election_day") and due["voting"] == ("2026-12-06", "election_day")
    assert due["summary"] == ("2027-01-10", "campaign")
    assert {d["code"]: d["on"] for d in cal["deadlines"]} == {"voter_list": "2026-11-16",
                                                              "candidate_list": "2026-12-01"}
    election = roll.api.get(f"/elections/{e}").get_json()
    assert election["due"] == "2026-11-11"


def test_the_rule_sets_are_published_with_a_source_for_every_value(roll: Roll) -> None:
    names = {x["name"] for x in roll.api.get("/rule-sets").get_json()["items"]}
    assert {"liaoning-2014", "national-2026"} <= names
    data = roll.api.get("/rule-sets/national-2026").get_json()
    assert data["voter_roll"] is True and data["objection_days"] == 5 and data["objection_decision_days"] == 3
    assert data["calendar_offsets"]["preparation"] == -25
    assert {d["code"] for d in data["joint_review"]["departments"]} >= {"organization", "discipline", "court"}
    assert all({"code", "zh", "en"} == set(g) for g in data["joint_review"]["negative_list"])
    for key in ("party.surplus", "residents.voter_list_days", "objection_days", "calendar_offsets", "joint_review"):
        assert data["sources"][key]
    assert "provincial_defaults" in data["verification"]
    assert roll.api.get("/rule-sets/nope").status_code == 404


def test_a_round_under_a_roll_takes_its_expected_voters_from_the_roll(roll: Roll) -> None:
    from workflow.models import Election
    e = roll.prepare()
    for n in range(30, 36):
        roll.register(e, n=n)
    with roll.api.db.uow() as w:  # straight to voting: the walk through the guards is the end-to-end test's
        w.session.get(Election, e).state = "voting"
    body = {"kind": "first", "present": 5, "ballots_issued": 5, "ballots_returned": 5, "ballots_invalid": 0,
            "votes": {}}
    r = roll.api.post(f"/elections/{e}/rounds", {**body, "expected": 7}, who="cadre")
    assert "6" in assert_error(r, 400, "invalid_request")["fields"]["expected"]
    r = roll.api.post(f"/elections/{e}/rounds", body, who="cadre")
    assert r.status_code == 201 and r.get_json()["expected"] == 6


def test_a_voter_import_is_all_or_nothing_with_every_bad_row_and_duplicates_in_the_file_and_elsewhere(
        roll: Roll) -> None:
    a, b = roll.prepare("a"), roll.prepare("b")
    roll.register(b, who="othercadre", n=40)
    header = "姓名,性别,出生日期,身份证号,户,居民小组,类别,居住起始日期\n"
    rows = [f"张{n},男,,{make_id_number('210102', dt.date(1970, 1, 1), n)},H{n},一组,户籍," for n in range(41, 46)]
    rows.append(f"李重复,女,,{make_id_number('210102', dt.date(1970, 1, 1), 41)},H9,一组,户籍,")
    rows.append(f"王别处,女,,{make_id_number('210102', dt.date(1980, 5, 1), 40)},H9,一组,户籍,")
    rows.append(f"赵小,女,,{make_id_number('210102', dt.date(2010, 1, 1), 47)},H9,一组,户籍,")
    data = (header + "\n".join(rows) + "\n").encode("gb18030")
    r = roll.api.app.test_client().post(f"/api/v1/elections/{a}/voters/import?filename=roll.csv", data=data,
                                        headers={"Authorization": f"Bearer {roll.api.token_for('cadre')}"})
    body = assert_error(r, 400, "invalid_request")
    problems = {(p["row"], p["column"]) for p in body["rows"]}
    assert problems == {(7, "身份证号"), (8, "身份证号"), (9, "出生日期")}, body["rows"]
    assert "第2行" in next(p["problem"] for p in body["rows"] if p["row"] == 7)
    assert roll.api.get(f"/elections/{a}/voters/summary").get_json()["registered"] == 0
    good = (header + "\n".join(rows[:5]) + "\n").encode("utf-8-sig")
    r = roll.api.app.test_client().post(f"/api/v1/elections/{a}/voters/import?filename=roll.csv", data=good,
                                        headers={"Authorization": f"Bearer {roll.api.token_for('cadre')}"})
    assert r.status_code == 200 and r.get_json()["imported"] == 5
    export = roll.api.get(f"/elections/{a}/voters/export")
    assert export.status_code == 200 and export.data[:2] == b"PK"
