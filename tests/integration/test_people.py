"""People and posts (domain.md §9): identity links (一肩挑, 交叉任职), advisories by identity, posts and voiding."""
from __future__ import annotations

import datetime as dt
from typing import Any, Sequence

import pytest

from tests.integration.engine_support import Engine
from workflow.errors import GuardsFailed, InvalidRequest
from workflow.identity import make_id_number
from workflow.services.complaints import file_complaint, resolve_complaint
from workflow.services.people import community_people
from workflow.services.reads import describe_election

SECRETARY = make_id_number("210102", dt.date(1975, 4, 2), 11)
MEMBER = make_id_number("210102", dt.date(1981, 9, 30), 12)
OTHER = make_id_number("210103", dt.date(1969, 1, 15), 13)


def elect(eng: Engine, key: str, winners: list[int]) -> None:
    """Record a valid first round in which these candidates win, then walk on to certification."""
    eng.advance(key, "voting")
    seats = dict(eng.get(key).seats)
    votes: dict[str, int] = {}
    with eng.db.uow(write=False) as uow:
        from workflow.models import Candidate
        posts = {c.id: c.post for c in uow.session.query(Candidate).filter_by(election_id=eng.world.elections[key])}
    for post, n in seats.items():
        mine = [c for c in winners if posts[c] == post]
        rest = [c for c in eng.standing(key, post) if c not in winners]
        for cid in (mine + rest)[:n]:
            votes[str(cid)] = 60
    eng.round(key, kind="first", expected=100, present=95, ballots_issued=95, ballots_returned=95,
              ballots_invalid=0, votes=votes)
    eng.advance(key, "certification")


def party_with(eng: Engine, people: list[dict[str, Any]]) -> list[int]:
    """Walk a_party to certification with these candidates among the winners."""
    eng.advance("a_party", "nomination")
    ids = [eng.add("a_party", **p) for p in people]
    elect(eng, "a_party", ids)
    return ids


def residents_with(eng: Engine, director: dict[str, Any], members: Sequence[dict[str, Any]] = ()) -> tuple[int, list[int]]:
    """Walk a_residents to certification with this director and these members among the winners."""
    eng.advance("a_residents", "nomination")
    plain = {"party_member": False, "full_member": False}
    d = eng.add("a_residents", "director", **{**plain, **director})
    ms = [eng.add("a_residents", "member", **{**plain, **m}) for m in members]
    elect(eng, "a_residents", [d, *ms])
    return d, ms


def people(eng: Engine) -> dict[str, Any]:
    with eng.db.uow(write=False) as uow:
        e = eng.get("a_party")
        return community_people(uow.session, e.community_id, e.campaign_id)[0]


def advisories(eng: Engine, key: str) -> list[dict[str, str]]:
    with eng.db.uow(write=False) as uow:
        return describe_election(uow, eng.actors["cadre"], eng.world.elections[key], "en")["advisories"]


def test_one_person_as_secretary_and_director_is_yijiantiao_and_sits_on_both_committees(db):
    eng = Engine(db)
    sec, member = party_with(eng, [{"name": "王芳", "id_number": SECRETARY}, {"name": "李强", "id_number": MEMBER}])
    eng.posts("a_party", secretary=sec, deputy_secretaries=[member], full_time_deputy=member)
    # the same person registered under another writing of the name: identity, not names, links records
    director, members = residents_with(eng, {"name": "王 芳", "id_number": SECRETARY.lower()},
                                       [{"name": "李强", "id_number": MEMBER}])
    links = people(eng)
    assert links["yijiantiao"] is True and (links["secretary"], links["director"]) == ("王芳", "王 芳")
    assert links["cross_count"] == 2
    assert {(c["party_candidate"], c["residents_candidate"]) for c in links["cross"]} == {
        (sec, director), (member, members[0])}
    assert {c["party_post"] for c in links["cross"]} == {"secretary", "deputy_secretary"}


def test_without_id_numbers_nobody_is_linked_even_under_the_same_name(db):
    eng = Engine(db)
    (sec,) = party_with(eng, [{"name": "王芳"}])
    eng.posts("a_party", secretary=sec)
    residents_with(eng, {"name": "王芳"})
    links = people(eng)
    assert links["yijiantiao"] is False and links["cross_count"] == 0
    assert links["without_id_number"] == links["party_elected"] + links["residents_elected"]


def test_yijiantiao_is_unknown_until_the_secretary_is_named(db):
    eng = Engine(db)
    party_with(eng, [{"name": "王芳", "id_number": SECRETARY}])
    residents_with(eng, {"name": "王芳", "id_number": SECRETARY})
    links = people(eng)
    assert links["yijiantiao"] is None and links["secretary"] is None and links["cross_count"] == 1


def test_a_director_who_is_a_party_member_is_matched_to_the_posts_by_identity_not_name(db):
    eng = Engine(db)
    sec, deputy = party_with(eng, [{"name": "王芳", "id_number": SECRETARY}, {"name": "李强", "id_number": MEMBER}])
    eng.posts("a_party", secretary=sec, deputy_secretaries=[deputy], full_time_deputy=deputy)
    # same name as the secretary, another person: the advisory must not be silenced by the name
    residents_with(eng, {"name": "王芳", "id_number": OTHER, "party_member": True, "gender": "f"})
    codes = [a["code"] for a in advisories(eng, "a_residents")]
    assert codes == ["director_should_be_deputy_secretary"]
    assert advisories(eng, "a_party") == advisories(eng, "a_residents")


def test_a_director_holding_a_deputy_post_by_identity_raises_no_advisory(db):
    eng = Engine(db)
    sec, deputy = party_with(eng, [{"name": "王芳", "id_number": SECRETARY}, {"name": "李强", "id_number": MEMBER}])
    eng.posts("a_party", secretary=sec, deputy_secretaries=[deputy], full_time_deputy=deputy)
    residents_with(eng, {"name": "李 强", "id_number": MEMBER, "party_member": True, "gender": "m"},
                   [{"gender": "f"}])
    assert advisories(eng, "a_residents") == []


def test_a_director_without_an_id_number_cannot_be_matched_and_the_advisory_says_so(db):
    eng = Engine(db)
    (sec,) = party_with(eng, [{"name": "王芳", "id_number": SECRETARY}])
    eng.posts("a_party", secretary=sec)
    residents_with(eng, {"name": "王芳", "party_member": True, "gender": "f"})
    found = advisories(eng, "a_residents")
    assert [a["code"] for a in found] == ["full_time_deputy_secretary", "director_should_be_deputy_secretary"]
    assert "without an id number" in found[1]["message"]


def test_the_full_time_deputy_advisory_reads_the_posts(db):
    eng = Engine(db)
    sec, deputy = party_with(eng, [{"name": "王芳"}, {"name": "李强"}])
    eng.posts("a_party", secretary=sec, deputy_secretaries=[deputy])
    residents_with(eng, {"name": "赵敏", "gender": "f"})
    assert [a["code"] for a in advisories(eng, "a_party")] == ["full_time_deputy_secretary"]
    eng.posts("a_party", secretary=sec, deputy_secretaries=[deputy], full_time_deputy=deputy)
    assert advisories(eng, "a_party") == []


def test_a_residents_committee_without_a_woman_is_advised_to_include_one(db):
    eng = Engine(db)
    eng.advance("a_party", "certification")
    residents_with(eng, {"name": "赵强", "gender": "m"})
    assert "woman_member" in [a["code"] for a in advisories(eng, "a_residents")]
    assert "woman_member" not in [a["code"] for a in advisories(eng, "a_party")]


def test_a_residents_committee_with_a_woman_needs_no_such_advice(db):
    eng = Engine(db)
    eng.advance("a_party", "certification")
    residents_with(eng, {"name": "赵敏", "gender": "f"})
    assert "woman_member" not in [a["code"] for a in advisories(eng, "a_residents")]


def test_secretary_elected_holds_only_with_an_elected_secretary_in_the_posts(db):
    eng = Engine(db)
    eng.advance("a_party", "certification")
    eng.facts("a_party", ("secretary_approved", "result_filed"))
    with pytest.raises(GuardsFailed) as err:
        eng.fire("a_party", "certify")
    assert [u.code for u in err.value.unmet] == ["secretary_elected"]
    elected = sorted(eng.elected("a_party"))
    eng.posts("a_party", secretary=None, deputy_secretaries=elected[:2])
    with pytest.raises(GuardsFailed):
        eng.fire("a_party", "certify")
    eng.posts("a_party", secretary=elected[2])
    eng.fire("a_party", "certify")
    assert eng.state("a_party") == "handover"


def test_recording_the_retired_fact_is_refused(db):
    eng = Engine(db)
    eng.advance("a_party", "certification")
    with pytest.raises(InvalidRequest):
        eng.fact("a_party", "secretary_elected", True)


def test_a_person_elected_twice_under_one_number_cannot_hold_two_posts(db):
    eng = Engine(db)
    eng.advance("a_party", "nomination")
    a = eng.add("a_party", name="王芳", id_number=SECRETARY)
    eng.add("a_party", name="李强", id_number=MEMBER)
    eng.advance("a_party", "certification")
    with pytest.raises(InvalidRequest) as err:
        eng.posts("a_party", secretary=a, deputy_secretaries=[a])
    assert "deputy_secretaries" in err.value.problems


def test_a_voided_secretary_loses_the_post_and_the_guard_fails_again(db):
    eng = Engine(db)
    sec, deputy = party_with(eng, [{"name": "王芳"}, {"name": "李强"}])
    eng.posts("a_party", secretary=sec, deputy_secretaries=[deputy], full_time_deputy=deputy)
    complaint = eng.call(file_complaint, eng.world.elections["a_party"], "bribery", sec, "2014-12-08", "贿选",
                         actor="cadre").id
    eng.call(resolve_complaint, complaint, "void_election", actor="inspector")
    with eng.db.uow(write=False) as uow:
        view = describe_election(uow, eng.actors["cadre"], eng.world.elections["a_party"])
    assert view["posts"] == {"secretary": None, "deputy_secretaries": [deputy], "full_time_deputy": deputy}
    released = [a for a in eng.audit("a_party", "posts_set") if a.data.get("released") == sec]
    assert len(released) == 1 and released[0].data["reason"] == "voided"
