"""The voter roll page (domain.md §10, §11): registration at the desk, import with row errors, objections,
proxies, announcements with print and PDF, the calendar on the election page; zh and en; observers see counts."""
from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from sqlalchemy import select

from tests.e2e.roll_support import DUE26, ELECTION_DAY, NOW, person_body
from tests.ui.conftest import text
from workflow import clock
from workflow.auth import SYSTEM
from workflow.models import Election
from workflow.services.campaigns import create_campaign, launch_campaign
from workflow.services.election_data import record_facts


@pytest.fixture
def roll_election(world: Any, monkeypatch: pytest.MonkeyPatch) -> int:
    """A national-2026 residents' election of 北市社区 with its election day recorded."""
    monkeypatch.setenv("HUANJIE_IDENTITY_KEY", "test-identity-key")
    clock.freeze(NOW)
    with world.db.uow() as w:
        create_campaign(w, SYSTEM, "CN2026", "2026年社区换届", "national-2026", "210000", "concurrent", DUE26)
        launch_campaign(w, SYSTEM, "CN2026")
    with world.db.uow() as w:
        e = w.session.scalars(select(Election).where(Election.body == "residents",
                                                     Election.campaign.has(code="CN2026"),
                                                     Election.community.has(code="210102001001"))).one()
        record_facts(w, SYSTEM, e.id, {"election_day": ELECTION_DAY.isoformat(), "election_mode": "direct"})
        return e.id


def test_a_cadre_registers_at_the_desk_sees_the_masked_number_and_a_mistake_keeps_the_form(ui: Any,
                                                                                         roll_election: int) -> None:
    cadre = ui("cadre")
    page = text(cadre.get(f"/elections/{roll_election}/roll"))
    assert "登记选民" in page or "Register a voter" in page
    person = person_body(1)
    r = cadre.post(f"/elections/{roll_election}/roll/voters", person)
    assert r.status_code == 302
    page = text(cadre.get(f"/elections/{roll_election}/roll"))
    assert person["name"] in page and person["id_number"] not in page and person["id_number"][-4:] in page
    young = person_body(2, born=dt.date(2010, 1, 1))
    r = cadre.post(f"/elections/{roll_election}/roll/voters", young)
    assert r.status_code == 400 and young["name"] in text(r) and young["id_number"] not in text(r)


def test_an_import_with_a_bad_row_lists_it_and_imports_nothing(ui: Any, roll_election: int) -> None:
    cadre = ui("cadre")
    cadre.get(f"/elections/{roll_election}/roll")
    good, bad = person_body(3), person_body(4)
    csv = ("姓名,性别,身份证号,居民小组\n" f"{good['name']},男,{good['id_number']},一组\n"
           f"{bad['name']},女,{bad['id_number'][:-1]}Z,一组\n").encode("gb18030")
    r = cadre.post(f"/elections/{roll_election}/roll/import", {"file": (io.BytesIO(csv), "roll.csv")},
                   content_type="multipart/form-data")
    page = text(r)
    assert r.status_code == 400 and "roll.csv" in page and ">3<" in page and "身份证号" in page
    assert good["name"] not in page.split('id="voters"')[-1].split("</table>")[0]


def test_publishing_the_roll_lists_the_announcement_with_print_and_pdf_and_the_calendar_shows_election_day(
        ui: Any, roll_election: int) -> None:
    cadre = ui("cadre")
    cadre.post(f"/elections/{roll_election}/roll/voters", person_body(5))
    r = cadre.post(f"/elections/{roll_election}/announcements", {"kind": "voter_list"})
    assert r.status_code == 302
    page = text(cadre.get(f"/elections/{roll_election}/roll"))
    assert "选民名单公告" in page and "第1号" in page
    html_link = page.split('href="/announcements/')[1].split('"')[0]
    doc = cadre.get(f"/announcements/{html_link}")
    assert doc.status_code == 200 and "选民0005" in text(doc)
    pdf = cadre.get(f"/announcements/{html_link.replace('.html', '.pdf')}")
    assert pdf.status_code == 200 and pdf.data[:4] == b"%PDF"
    election_page = text(cadre.get(f"/elections/{roll_election}"))
    assert 'id="calendar"' in election_page and "2026年11月11日" in election_page


def test_an_observer_sees_the_counts_and_not_the_names(ui: Any, roll_election: int) -> None:
    ui("cadre").post(f"/elections/{roll_election}/roll/voters", person_body(6))
    page = text(ui("observer").get(f"/elections/{roll_election}/roll"))
    assert "选民0006" not in page and 'id="summary"' in page and "<strong>1</strong>" in page
