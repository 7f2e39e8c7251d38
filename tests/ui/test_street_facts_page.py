"""The street-wide fact page: a form on the supervision view, a preview that writes nothing, then confirm."""
from __future__ import annotations

from sqlalchemy import select

from tests.ui.conftest import text
from workflow.models import Fact


def _facts(world, key: str) -> list:
    with world.db.uow(write=False) as w:
        return list(w.session.scalars(select(Fact.election_id).where(Fact.key == key)))


def test_a_cadre_previews_then_records_a_fact_for_the_whole_street(ui, world):
    client = ui("cadre")
    page = text(client.get("/supervise?region=210102001"))
    assert 'href="/supervise/facts?campaign=LN2014&amp;region=210102001"' in page
    form = client.get("/supervise/facts?campaign=LN2014&region=210102001")
    assert form.status_code == 200 and "为太原街街道的全部选举统一记录一项事实" in text(form)
    data = {"campaign": "LN2014", "region": "210102001", "body": "both", "key": "staff_trained", "value": "true",
            "note": "街道统一培训"}
    preview = client.post("/supervise/facts", {**data, "preview": "1"})
    assert preview.status_code == 200 and "将记录到4个选举" in text(preview)
    assert _facts(world, "staff_trained") == []  # a preview writes nothing
    done = client.post("/supervise/facts", {**data, "confirm": "1"})
    assert done.status_code == 302
    assert len(_facts(world, "staff_trained")) == 4
    again = text(client.post("/supervise/facts", {**data, "preview": "1"}))
    assert "将记录到0个选举" in again and "已记录该值" in again


def test_a_supervisor_fact_is_refused_to_a_cadre_on_the_page_in_english(ui, world):
    client = ui("cadre")
    r = client.post("/supervise/facts", {"campaign": "LN2014", "region": "210102001", "body": "party",
                                         "key": "candidate_list_approved", "value": "true", "confirm": "1"},
                    headers={"Accept-Language": "en"})
    assert r.status_code == 403
    assert _facts(world, "candidate_list_approved") == []
    assert client.get("/supervise/facts?campaign=LN2014&region=210103001").status_code == 404
