"""Scenarios in a real browser: a cadre's preparation, a supervisor's drill-down, switching to English."""
from __future__ import annotations

import datetime as dt

from tests.browser.conftest import shot, sign_in
from tests.support import TODAY
from workflow import clock

PREPARATION = ("leadership_group_formed", "work_plan_approved", "staff_trained", "publicity_done",
               "funding_secured", "org_setup_confirmed")


def test_a_cadre_records_the_preparation_sees_the_checklist_turn_green_and_opens_nomination(live, page):
    sign_in(page, live.url, "cadre")
    assert page.locator("h1").inner_text() == "工作清单"
    shot(page, "worklist-zh-small")
    page.locator("tr", has_text="北市社区").locator("td").first.locator("a").click()
    assert "社区党组织换届选举" in page.locator("h1").inner_text()
    start = page.locator("button[value=open_nomination]")
    assert start.is_disabled()
    reasons = page.locator("#why-open_nomination")
    assert "暂不能进行，还缺少" in reasons.inner_text() and "街道换届选举工作机构已成立" in reasons.inner_text()
    assert page.locator(".check-no").count() == 7
    for key in PREPARATION:
        page.locator(f"#fact-{key} button[value=yes]").click()
        page.wait_for_load_state()
        assert page.locator(f"#check-{key}.check-ok").count() == 1
    page.fill("#seats-member", "5")
    page.locator("#seats button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".check-no").count() == 0 and page.locator(".check-ok").count() == 7
    assert not page.locator("button[value=open_nomination]").is_disabled()
    shot(page, "election-ready-zh")
    page.fill("#t-note", "准备工作已全部完成")
    page.locator("button[value=open_nomination]").click()
    page.wait_for_load_state()
    assert "已完成：启动提名" in page.locator(".flash").inner_text()
    assert page.locator(".step-current .step-name").inner_text() == "提名推荐"
    assert "准备工作已全部完成" in page.locator("#history").inner_text()
    assert page.console_errors == []


def test_a_supervisor_drills_down_from_the_province_to_a_street_and_opens_an_overdue_community(live, page):
    clock.freeze(TODAY + dt.timedelta(days=26))  # 2015-01-05: preparation was due 2014-12-31
    sign_in(page, live.url, "province")
    page.locator(".mainnav a", has_text="督导").click()
    assert page.locator("h1").inner_text().startswith("辽宁省")
    assert page.locator("svg.chart-bars").count() == 1
    page.locator("#parts table a", has_text="沈阳市").click()
    assert page.locator("h1").inner_text().startswith("沈阳市")
    page.locator("#parts table a", has_text="和平区").click()
    assert page.locator("h1").inner_text().startswith("和平区")
    page.locator("#parts table a", has_text="太原街街道").click()
    assert page.locator("h1").inner_text().startswith("太原街街道")
    assert page.locator("#communities").count() == 1
    overdue = page.locator("#stuck-overdue .stuck-item").first
    assert "逾期 5 天" in overdue.inner_text()
    overdue.click()
    assert page.locator(".status-line .badge-overdue").inner_text() == "逾期"
    assert page.locator(".step-current.step-overdue").count() == 1
    assert page.console_errors == []


def test_switching_to_english_changes_the_pages_and_the_dates(live, page):
    sign_in(page, live.url, "cadre")
    page.locator(".langswitch button[value=en]").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Worklist"
    assert page.locator("html").get_attribute("lang") == "en"
    assert "due December 31, 2014" in page.locator("table.worklist").inner_text()
    page.locator("tr", has_text="北市社区").locator("td").first.locator("a").click()
    assert "Not possible yet. Still missing:" in page.locator("#why-open_nomination").inner_text()
    page.locator(".langswitch button[value=zh]").click()
    page.wait_for_load_state()
    assert "暂不能进行" in page.locator("#why-open_nomination").inner_text()
    assert page.console_errors == []


def test_the_pages_work_on_a_tablet_in_portrait(live, browser):
    context = browser.new_context(viewport={"width": 768, "height": 1024}, locale="zh-CN")
    tab = context.new_page()
    sign_in(tab, live.url, "cadre")
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= 768  # nothing forces sideways scrolling
    tab.locator("tr", has_text="北市社区").locator("td").first.locator("a").click()
    assert tab.evaluate("document.documentElement.scrollWidth") <= 768
    shot(tab, "election-tablet-zh")
    context.close()
