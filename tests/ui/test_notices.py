"""The notice pages: inbox with its unread count in the header, escalations, dossiers, reports, bulletins."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from tests.ui.conftest import text
from workflow.models import Dossier, Incident
from workflow.services.bulletins import generate_bulletins
from workflow.services.sweep import sweep_overdue


def sweep(world, at):
    with world.db.uow() as uow:
        return sweep_overdue(uow, at=at)


def test_the_header_shows_the_unread_count_and_reading_clears_it(ui, world):
    sweep(world, "2015-01-01")
    cadre = ui("cadre")
    page = text(cadre.get("/"))
    assert re.search(r"通知 \(1\)", page)
    inbox = text(cadre.get("/notices/"))
    assert "督办提醒" in inbox and "北市社区" in inbox
    assert cadre.post("/notices/read", {}).status_code == 302
    assert "通知 (1)" not in text(cadre.get("/"))
    assert "通知" in text(cadre.get("/"))


def test_opening_a_notification_marks_it_read_and_follows_its_link(ui, world):
    sweep(world, "2015-01-01")
    cadre = ui("cadre")
    link = re.search(r'href="(/notices/\d+/open)"', text(cadre.get("/notices/"))).group(1)
    r = cadre.get(link)
    assert r.status_code == 302 and r.headers["Location"].endswith("/notices/escalations?mine=1")
    assert "通知 (" not in text(cadre.get("/"))
    assert cadre.post("/notices/read", {}, csrf=False).status_code == 400  # no CSRF token: refused


def test_the_escalation_list_shows_levels_recipients_and_nobody_responsible(ui, world):
    sweep(world, "2015-01-09")
    page = text(ui("admin").get("/notices/escalations"))
    assert "县级包街道领导" in page and "county" in page and "无责任人" in page
    mine = text(ui("county").get("/notices/escalations?mine=1&level=2"))
    assert mine.count("<tr>") == 5  # the header and four rungs
    assert ui("cadre").get("/notices/escalations?region=210103").status_code == 200


def test_the_election_page_has_its_escalation_section(ui, world):
    sweep(world, "2015-01-09")
    page = text(ui("cadre").get(f"/elections/{world.elections['a_party']}"))
    assert 'id="escalations"' in page and "街道包社区干部" in page
    quiet = text(ui("cadre").get(f"/elections/{world.elections['a_party']}"))
    assert quiet.count('id="escalations"') == 1


def test_a_cadre_opens_and_resolves_a_dossier_and_bad_input_is_shown(ui, world):
    cadre = ui("cadre")
    bad = cadre.post("/notices/dossiers", {"new-community": "210102001001", "new-cause": "", "new-due_on": "2014-13-01"})
    assert bad.status_code == 400 and "has-error" in text(bad)
    wrong = cadre.post("/notices/dossiers", {"new-community": "210103001001", "new-cause": "原因",
                                             "new-due_on": "2014-12-20"})
    assert wrong.status_code == 404
    ok = cadre.post("/notices/dossiers", {"new-community": "210102001001", "new-cause": "候选人人选不足",
                                          "new-due_on": "2014-12-20", "new-stationed_cadre": "李驻点"})
    assert ok.status_code == 302
    assert "候选人人选不足" in text(cadre.get("/notices/dossiers"))
    with world.db.uow(write=False) as uow:
        did = uow.session.scalars(select(Dossier.id)).one()
    assert ui("observer").post(f"/notices/dossiers/{did}", {f"d{did}-status": "resolved"}).status_code == 403
    assert cadre.post(f"/notices/dossiers/{did}", {f"d{did}-status": "resolved", f"d{did}-note": "已解决"}).status_code == 302
    assert "候选人人选不足" not in text(cadre.get("/notices/dossiers"))
    assert "已解决" in text(cadre.get("/notices/dossiers?open=0"))


def test_a_report_is_acknowledged_by_the_county_and_offers_the_suspension(ui, world):
    cadre = ui("cadre")
    r = cadre.post("/notices/incidents", {"new-community": "210102001001", "new-severity": "urgent",
                                          "new-summary": "有人冲击选举会场"})
    assert r.status_code == 302
    with world.db.uow(write=False) as uow:
        iid = uow.session.scalars(select(Incident.id)).one()
    assert 'name="ack-note"' not in text(cadre.get(f"/notices/incidents/{iid}"))
    assert cadre.post(f"/notices/incidents/{iid}", {"ack-note": "x"}).status_code == 403
    county = ui("county")
    page = text(county.get(f"/notices/incidents/{iid}"))
    assert 'name="ack-note"' in page and f"/elections/{world.elections['a_party']}/suspend" in page
    assert county.post(f"/notices/incidents/{iid}", {"ack-note": "已派工作组"}).status_code == 302
    page = text(county.get(f"/notices/incidents/{iid}"))
    assert "已派工作组" in page and 'name="ack-note"' not in page
    assert ui("othercadre").get(f"/notices/incidents/{iid}").status_code == 404


def test_bulletins_are_listed_viewed_and_downloaded(ui, world):
    sweep(world, "2015-01-09")
    generate_bulletins(world.db, dt.date(2015, 1, 9))
    province = ui("province")
    listing = text(province.get("/notices/bulletins"))
    bid = re.search(r'href="/notices/bulletins/(\d+)"', listing).group(1)
    page = text(province.get(f"/notices/bulletins/{bid}"))
    assert "逾期名单" in page and "北市社区" in page
    csv = province.get(f"/notices/bulletins/{bid}/download?format=csv")
    assert csv.mimetype == "text/csv" and "情况通报" in text(csv)
    assert province.get(f"/notices/bulletins/{bid}/download?format=json").get_json()["data"]["overdue"]["total"] == 6
    assert ui("othercadre").get(f"/notices/bulletins/{bid}").status_code == 404
    assert ui("province").post("/notices/bulletins/generate", {}).status_code == 403


def test_the_dashboard_lists_open_escalations_dossiers_and_reports(ui, world):
    sweep(world, "2015-01-20")
    page = text(ui("county").get("/supervise?region=210102001&kind=dossiers"))
    assert "逾期（三级督办时自动建档）" in page
    page = text(ui("county").get("/supervise?region=210102001&kind=escalations"))
    assert "市级包县领导" in page


def test_the_pages_speak_english_too(ui, world):
    sweep(world, "2015-01-01")
    cadre = ui("cadre")
    cadre.post("/language", {"lang": "en", "next": "/notices/"})
    page = text(cadre.get("/notices/escalations"))
    assert "Escalations" in page and "Street cadre for the community" in page
    assert "Inbox (1)" in page
