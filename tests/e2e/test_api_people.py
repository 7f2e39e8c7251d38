"""Contract tests of domain.md §9 over HTTP: id numbers kept masked, the posts, secretary_elected, the roster."""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
from typing import Any

import pytest

from tests.e2e.api_support import Api, api, assert_error  # noqa: F401
from workflow.identity import check_digit, make_id_number

FULL_NUMBER = re.compile(r"[1-9]\d{16}[\dXx]")


def number(seq: int = 123, born: dt.date = dt.date(1980, 5, 17)) -> str:
    return make_id_number("210102", born, seq)


def number_ending_in_x() -> str:
    for seq in range(1000):
        first17 = f"210102{dt.date(1979, 3, 8):%Y%m%d}{seq:03d}"
        if check_digit(first17) == "X":
            return first17 + "X"
    raise AssertionError("no X check digit")


def masked(n: str) -> str:
    return n[:6] + "********" + n[-4:].upper()


def to_certification(api: Api, key: str = "a_party") -> tuple[int, list[int]]:
    api.advance(key, "certification")
    e = api.election(key)
    elected = [c["id"] for c in api.get(f"/elections/{e}").get_json()["candidates"] if c["elected"]]
    return e, elected


def test_an_id_number_is_checked_and_only_its_masked_form_is_ever_shown(api: Api) -> None:
    e = api.election("a_party")
    api.advance("a_party", "nomination")
    good = number()
    wrong_digit = good[:17] + ("0" if good[17] != "0" else "1")
    first17 = "21010219801317123"  # month 13
    bad_date = first17 + check_digit(first17)
    for bad, problem in ((wrong_digit, "check digit"), (bad_date, "birth date"), (good[:17], "18 characters")):
        r = api.post(f"/elections/{e}/candidates", {"name": "王芳", "post": "member", "id_number": bad},
                     who="cadre", lang="en")
        body = assert_error(r, 400, "invalid_request")
        assert set(body["fields"]) == {"id_number"} and problem in body["fields"]["id_number"]
        assert bad not in r.get_data(as_text=True)  # the error never repeats the number
    created = api.post(f"/elections/{e}/candidates", {"name": "王芳", "post": "member", "id_number": good,
                                                       "incumbent": True}, who="cadre")
    assert created.status_code == 201
    cand = created.get_json()
    assert cand["id_number"] == masked(good) and cand["incumbent"] is True
    lower = number_ending_in_x().lower()
    assert lower.endswith("x")
    second = api.post(f"/elections/{e}/candidates", {"name": "李强", "post": "member", "id_number": lower},
                      who="cadre").get_json()
    assert second["id_number"] == masked(lower) and second["id_number"].endswith("X")
    again = api.post(f"/elections/{e}/candidates", {"name": "另一人", "post": "member", "id_number": lower.upper()},
                     who="cadre")
    assert_error(again, 409, "duplicate")  # the same number is the same person: one candidacy per election
    patched = api.patch(f"/candidates/{cand['id']}", {"id_number": number(7)}, who="cadre").get_json()
    assert patched["id_number"] == masked(number(7))
    texts = [api.get(f"/elections/{e}").get_data(as_text=True),
             api.get(f"/elections/{e}/history?per_page=500").get_data(as_text=True)]
    for text in texts:
        for full in (good, lower, lower.upper(), number(7)):
            assert full not in text
    history = api.get(f"/elections/{e}/history?per_page=500").get_json()["items"]
    change = next(h for h in history if h["action"] == "candidate_updated")
    assert change["data"]["changes"] == {"id_number": [masked(good), masked(number(7))]}


def test_posts_name_elected_members_one_post_each_and_make_secretary_elected(api: Api) -> None:
    e, elected = to_certification(api)
    before = api.get(f"/elections/{e}").get_json()
    assert before["posts"] == {"secretary": None, "deputy_secretaries": [], "full_time_deputy": None}
    certify = next(t for t in before["transitions"] if t["trigger"] == "certify")
    assert "secretary_elected" in [u["code"] for u in certify["unmet"]]
    assert_error(api.put(f"/elections/{e}/facts/secretary_elected", {"value": True}, who="cadre"),
                 400, "invalid_request")
    loser = next(c["id"] for c in before["candidates"] if not c["elected"])
    body = assert_error(api.put(f"/elections/{e}/posts", {"secretary": loser}, who="cadre"), 400, "invalid_request")
    assert set(body["fields"]) == {"secretary"}
    other = api.election("b_party")
    body = assert_error(api.put(f"/elections/{e}/posts", {"secretary": elected[0], "deputy_secretaries": [999999]},
                                who="cadre"), 400, "invalid_request")
    assert set(body["fields"]) == {"deputy_secretaries"}
    two = {"secretary": elected[0], "deputy_secretaries": [elected[0]]}
    assert "deputy_secretaries" in assert_error(api.put(f"/elections/{e}/posts", two, who="cadre"),
                                                400, "invalid_request")["fields"]
    twice = {"secretary": elected[0], "deputy_secretaries": [elected[1], elected[1]]}
    assert_error(api.put(f"/elections/{e}/posts", twice, who="cadre"), 400, "invalid_request")
    outside = {"secretary": elected[0], "deputy_secretaries": [elected[1]], "full_time_deputy": elected[2]}
    assert "full_time_deputy" in assert_error(api.put(f"/elections/{e}/posts", outside, who="cadre"),
                                              400, "invalid_request")["fields"]
    assert_error(api.put(f"/elections/{e}/posts", {"secretary": elected[0]}, who="inspector"), 403, "forbidden")
    assert_error(api.put(f"/elections/{other}/posts", {"secretary": elected[0]}, who="cadre"), 404, "not_found")
    posts = {"secretary": elected[0], "deputy_secretaries": [elected[2], elected[1]], "full_time_deputy": elected[1]}
    r = api.put(f"/elections/{e}/posts", posts, who="cadre")
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {"secretary": elected[0], "deputy_secretaries": sorted(elected[1:3]),
                            "full_time_deputy": elected[1]}
    after = api.get(f"/elections/{e}").get_json()
    assert after["posts"] == r.get_json()
    certify = next(t for t in after["transitions"] if t["trigger"] == "certify")
    assert "secretary_elected" not in [u["code"] for u in certify["unmet"]]
    api.put(f"/elections/{e}/posts", posts, who="cadre")  # unchanged: no second history row
    rows = [h for h in api.get(f"/elections/{e}/history?per_page=500").get_json()["items"] if h["action"] == "posts_set"]
    assert len(rows) == 1 and rows[0]["data"]["previous"]["secretary"] is None
    assert rows[0]["data"]["posts"] == r.get_json()


def test_posts_are_refused_outside_certification_handover_and_summary(api: Api) -> None:
    e = api.election("a_party")
    assert_error(api.put(f"/elections/{e}/posts", {"secretary": None}, who="cadre"), 409, "invalid_state")
    api.advance("a_party", "voting")
    assert_error(api.put(f"/elections/{e}/posts", {"secretary": None}, who="cadre"), 409, "invalid_state")
    api.advance("a_party", "closed")
    assert_error(api.put(f"/elections/{e}/posts", {"secretary": None}, who="cadre"), 409, "invalid_state")
    api.advance("a_residents", "certification")
    r = api.put(f"/elections/{api.election('a_residents')}/posts", {"secretary": None}, who="cadre")
    assert_error(r, 400, "invalid_request")  # a residents' committee's posts are its candidates' own
    assert_error(api.put(f"/elections/{e}/posts", {"secretary": "1", "extra": 1}, who="cadre"), 400,
                 "invalid_request")


def test_the_roster_holds_the_first_secretary_and_part_time_members_beside_the_party_election(api: Api) -> None:
    e = api.election("a_party")
    first = {"kind": "first_secretary", "name": "刘洋", "unit": "和平区民政局", "post": "副局长",
             "start_on": "2014-12-01"}
    r = api.post(f"/elections/{e}/roster", first, who="cadre")
    assert r.status_code == 201, r.get_json()
    member = r.get_json()
    assert {k: member[k] for k in first} == first and member["end_on"] is None
    assert_error(api.post(f"/elections/{e}/roster", dict(first, name="张伟"), who="cadre"), 409, "duplicate")
    part = api.post(f"/elections/{e}/roster", {"kind": "part_time_member", "name": "陈静", "unit": "市第一医院党委",
                                                "gender": "f"}, who="street").get_json()
    assert_error(api.post(f"/elections/{e}/roster", {"kind": "chair", "name": "", "unit": "x"}, who="cadre"),
                 400, "invalid_request")
    assert_error(api.patch(f"/roster/{member['id']}", {"end_on": "2014-11-30"}, who="cadre"), 400, "invalid_request")
    assert api.patch(f"/roster/{member['id']}", {"end_on": "2016-12-01"}, who="cadre").get_json()["end_on"] == \
        "2016-12-01"
    assert_error(api.post(f"/elections/{e}/roster", dict(first, kind="part_time_member"), who="inspector"),
                 403, "forbidden")
    assert_error(api.post(f"/elections/{api.election('a_residents')}/roster", first, who="cadre"),
                 409, "invalid_state")
    assert_error(api.patch(f"/roster/{part['id']}", {"name": "x"}, who="othercadre"), 404, "not_found")
    assert [m["name"] for m in api.get(f"/elections/{e}/roster").get_json()["items"]] == ["刘洋", "陈静"]
    assert api.post(f"/roster/{part['id']}/remove", {"reason": "录入错误"}, who="cadre").status_code == 200
    view = api.get(f"/elections/{e}").get_json()
    assert [m["name"] for m in view["roster"]] == ["刘洋"]
    assert all(c["name"] not in ("刘洋", "陈静") for c in view["candidates"])  # never an elected member
    actions = [h["action"] for h in api.get(f"/elections/{e}/history?per_page=500").get_json()["items"]]
    assert actions.count("roster_added") == 2 and "roster_updated" in actions and "roster_removed" in actions


def _all_texts(api: Api, paths: list[str]) -> list[str]:
    return [api.get(p).get_data(as_text=True) for p in paths]


@pytest.mark.slow
def test_no_full_id_number_appears_in_any_response_history_row_or_log_of_a_walk(api: Api, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    for key in ("a_party", "a_residents"):
        api.advance(key, "closed")
    community = "210102001001"
    paths = [f"/communities/{community}", f"/communities/{community}?campaign=LN2014", "/communities?per_page=50"]
    for key in ("a_party", "a_residents"):
        e = api.election(key)
        paths += [f"/elections/{e}", f"/elections/{e}/history?per_page=500"]
    paths += ["/campaigns/LN2014/report?region=210100", "/campaigns/LN2014/report/download?region=210100&format=csv"]
    texts = _all_texts(api, paths)
    view = json.loads(texts[paths.index(f"/elections/{api.election('a_party')}")])
    assert all(c["id_number"] and "*" in c["id_number"] for c in view["candidates"])  # the walk gave numbers
    for text in texts + [caplog.text]:
        assert FULL_NUMBER.search(text) is None
