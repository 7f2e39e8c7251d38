"""The round form of rev. 2: a preview before anything is recorded, write-ins, polling places, the tie-break shown as
the way on, and the vacancy approval in the supervisor's view."""
from __future__ import annotations

import re

from sqlalchemy import select

from tests.ui.conftest import advance, candidates, text
from workflow.models import Round


def url(world, key: str, suffix: str = "") -> str:
    return f"/elections/{world.elections[key]}{suffix}"


def counts(**over: str) -> dict[str, str]:
    data = {"round-kind": "first", "round-expected": "100", "round-present": "100", "round-ballots_issued": "100",
            "round-ballots_returned": "100", "round-ballots_invalid": "0"}
    data.update({f"round-{k}": v for k, v in over.items()})
    return data


def rounds(world) -> list[Round]:
    with world.db.uow(write=False) as uow:
        return list(uow.session.scalars(select(Round).order_by(Round.id)))


def digest_of(page: str) -> str:
    return re.search(r'name="digest" value="([0-9a-f]{64})"', page).group(1)


def test_a_typo_is_previewed_with_the_engines_verdict_and_nothing_is_recorded_until_confirmed(ui, world):
    advance(world, "a_party", "voting")
    client = ui("cadre")
    people = [c for c in candidates(world, "a_party") if not c.withdrawn]
    data = {**counts(ballots_returned="101", ballots_issued="101"), **{f"vote-{c.id}": "80" for c in people[:5]}}
    preview = client.post(url(world, "a_party", "/rounds"), data)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "尚未录入" in page and "无效" in page
    assert rounds(world) == []
    # the typo corrected, confirming with the old digest previews again instead of recording
    fixed = {**data, "round-ballots_returned": "100", "round-ballots_issued": "100"}
    again = client.post(url(world, "a_party", "/rounds"), {**fixed, "action": "record", "digest": digest_of(page)})
    assert again.status_code == 200 and rounds(world) == []
    done = client.post(url(world, "a_party", "/rounds"),
                       {**fixed, "action": "record", "digest": digest_of(again.get_data(as_text=True))})
    assert done.status_code == 302
    assert [r.valid for r in rounds(world)] == [True]


def test_a_write_in_is_entered_on_the_form_and_shown_with_the_round(ui, world):
    advance(world, "a_party", "voting")
    client = ui("cadre")
    people = [c for c in candidates(world, "a_party") if not c.withdrawn]
    data = {**counts(), **{f"vote-{c.id}": "80" for c in people[:4]},
            "wi-0-name": "另选王", "wi-0-post": "member", "wi-0-votes": "70"}
    page = client.post(url(world, "a_party", "/rounds"), data).get_data(as_text=True)
    assert "另选王" in text_of(page)
    client.post(url(world, "a_party", "/rounds"), {**data, "action": "record", "digest": digest_of(page)})
    shown = text(client.get(url(world, "a_party")))
    assert "另选他人" in shown and "另选王" in shown


def text_of(page: str) -> str:
    return re.sub(r"<[^>]+>", " ", page)


def test_counts_per_polling_place_are_entered_and_summed(ui, world):
    advance(world, "a_party", "voting")
    client = ui("cadre")
    form = client.get(url(world, "a_party", "?stations=2")).get_data(as_text=True)
    assert 'name="st-1-ballots_returned"' in form and 'name="round-ballots_returned"' not in form
    people = [c for c in candidates(world, "a_party") if not c.withdrawn]
    data = {"round-kind": "first", "round-expected": "100", "round-present": "95", "stations": "2",
            "st-0-name": "中心会场", "st-0-ballots_issued": "60", "st-0-ballots_returned": "60",
            "st-0-ballots_invalid": "0", "st-1-name": "流动票箱", "st-1-ballots_issued": "35",
            "st-1-ballots_returned": "35", "st-1-ballots_invalid": "0",
            **{f"st-0-vote-{c.id}": "50" for c in people[:5]}, **{f"st-1-vote-{c.id}": "30" for c in people[:5]}}
    page = client.post(url(world, "a_party", "/rounds"), data).get_data(as_text=True)
    client.post(url(world, "a_party", "/rounds"), {**data, "action": "record", "digest": digest_of(page)})
    (r,) = rounds(world)
    assert (r.ballots_returned, r.votes[str(people[0].id)]) == (95, 80)
    assert [s["name"] for s in r.stations] == ["中心会场", "流动票箱"]


def test_a_tie_is_shown_as_the_way_on_with_the_tied_names_and_the_tie_break_offers_only_them(ui, world):
    advance(world, "a_party", "voting")
    client = ui("cadre")
    people = [c for c in candidates(world, "a_party") if not c.withdrawn]
    data = {**counts(), **{f"vote-{c.id}": "80" for c in people[:4]},
            f"vote-{people[4].id}": "60", f"vote-{people[5].id}": "60"}
    page = client.post(url(world, "a_party", "/rounds"), data).get_data(as_text=True)
    client.post(url(world, "a_party", "/rounds"), {**data, "action": "record", "digest": digest_of(page)})
    shown = text(client.get(url(world, "a_party")))
    assert "票数相等" in shown and people[4].name in shown and people[5].name in shown
    from tests.ui.conftest import version
    client.post(url(world, "a_party", "/transition"), {"t-trigger": "another_round", "trigger": "another_round",
                                                       "t-version": str(version(world, "a_party"))})
    form = client.get(url(world, "a_party")).get_data(as_text=True)
    assert f'name="vote-{people[4].id}"' in form and f'name="vote-{people[0].id}"' not in form
    assert f'name="vote-{people[3].id}"' not in form


def test_the_supervisor_sees_the_vacancy_approval_next_to_seats_filled(ui, world):
    advance(world, "a_party", "voting")
    shown = ui("street").get(url(world, "a_party")).get_data(as_text=True)
    assert "vacancy_approved" in shown and "暂缺" in shown
