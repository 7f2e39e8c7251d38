"""The main pages on the demo data set, in Chinese and English: no browser errors; screenshots for the docs."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser.conftest import serve, shot, sign_in, stop
from workflow.db import Database
from workflow.models import Community, Election, Region, User

DEMO_PASSWORD = "huanjie-demo"


@pytest.fixture
def demo(sqlite_template: Path, tmp_path: Path):
    """The demo data set (300 communities) behind a real server."""
    from workflow.demo import DEMO_PASSWORD as password, load_demo
    assert password == DEMO_PASSWORD
    path = tmp_path / "demo.sqlite3"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    load_demo(db, communities=300, seed=2014, echo=lambda *_: None)
    url, server, thread = serve(db)
    yield url, db
    stop(server, thread)
    db.dispose()


def _pick(db: Database) -> tuple[str, int]:
    """The cadre of the street with the most communities, and a party election at the candidate meeting."""
    with db.uow(write=False) as uow:
        s = uow.session
        street_id = s.execute(select(Community.street_id, func.count()).group_by(Community.street_id)
                              .order_by(func.count().desc(), Community.street_id)).first()[0]
        street = s.get(Region, street_id)
        cadre = s.scalars(select(User.username).where(User.scope_id == street.id, User.role == "cadre")).first()
        election = s.scalars(select(Election.id).join(Community).where(
            Election.body == "party", Election.state == "candidate_meeting", Community.city_id.is_not(None))
            .order_by(Election.id)).first()
        return cadre, election


def test_the_main_pages_render_cleanly_in_both_languages(demo, page):
    url, db = demo
    cadre, election = _pick(db)
    from workflow.services.election_data import record_fact
    from workflow.services.reads import actor_for
    with db.uow() as uow:
        user = uow.session.scalars(select(User).where(User.username == "sheng")).one()
        record_fact(uow, actor_for(uow.session, user), election, "candidates_introduced", True, "12月20日党员大会上介绍")
    for lang in ("zh", "en"):
        sign_in(page, url, cadre, DEMO_PASSWORD)
        page.locator(f".langswitch button[value={lang}]").click()
        expect(page.locator("html")).to_have_attribute("lang", "en" if lang == "en" else "zh-CN")
        assert page.locator("table.worklist tbody tr").count() >= 1
        shot(page, f"worklist-{lang}")
        page.context.clear_cookies()
        sign_in(page, url, "sheng", DEMO_PASSWORD)
        page.locator(f".langswitch button[value={lang}]").click()
        expect(page.locator("html")).to_have_attribute("lang", "en" if lang == "en" else "zh-CN")
        page.goto(f"{url}/elections/{election}")
        assert page.locator(".check-ok").count() >= 1
        shot(page, f"election-{lang}")
        page.goto(f"{url}/supervise")
        assert page.locator("#parts table tbody tr").count() == 14  # the fourteen cities of Liaoning
        shot(page, f"dashboard-{lang}")
        page.goto(f"{url}/machines")
        shot(page, f"machines-{lang}")
        page.context.clear_cookies()
    assert page.console_errors == []
