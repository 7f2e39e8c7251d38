"""Scenarios in a real browser: a cadre's preparation, a supervisor's drill-down, switching to English."""
from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from tests.browser.conftest import shot, sign_in
from tests.support import TODAY
from workflow import clock

PREPARATION = ("leadership_group_formed", "work_plan_approved", "staff_trained", "publicity_done",
               "funding_secured", "org_setup_confirmed")


def test_a_cadre_records_the_preparation_sees_the_checklist_turn_green_and_opens_nomination(live, page):
    sign_in(page, live.url, "cadre")
    expect(page.locator("h1")).to_have_text("工作清单")
    shot(page, "worklist-zh-small")
    page.locator("tr", has_text="北市社区").locator("td").first.locator("a").click()
    expect(page.locator("h1")).to_contain_text("社区党组织换届选举")
    start = page.locator("button[value=open_nomination]")
    assert start.is_disabled()
    reasons = page.locator("#why-open_nomination")
    assert "暂不能进行，还缺少" in reasons.inner_text() and "街道换届选举工作机构已成立" in reasons.inner_text()
    assert page.locator(".check-no").count() == 7
    for key in PREPARATION:
        page.locator(f"#fact-{key} button[value=yes]").click()
        expect(page.locator(f"#check-{key}.check-ok")).to_have_count(1)
    page.fill("#seats-member", "5")
    page.locator("#seats button[type=submit]").click()
    expect(page.locator(".check-ok")).to_have_count(7)
    expect(page.locator(".check-no")).to_have_count(0)
    assert not page.locator("button[value=open_nomination]").is_disabled()
    shot(page, "election-ready-zh")
    page.fill("#t-note", "准备工作已全部完成")
    page.locator("button[value=open_nomination]").click()
    expect(page.locator(".flash")).to_contain_text("已完成：启动提名")
    assert page.locator(".step-current .step-name").inner_text() == "提名推荐"
    assert "准备工作已全部完成" in page.locator("#history").inner_text()
    assert page.console_errors == []


def test_a_supervisor_drills_down_from_the_province_to_a_street_and_opens_an_overdue_community(live, page):
    clock.freeze(TODAY + dt.timedelta(days=26))  # 2015-01-05: preparation was due 2014-12-31
    sign_in(page, live.url, "province")
    page.locator(".mainnav a", has_text="督导").click()
    expect(page.locator("h1")).to_contain_text("辽宁省")
    expect(page.locator("svg.chart-bars")).to_have_count(1)
    for name in ("沈阳市", "和平区", "太原街街道"):
        page.locator("#parts table a", has_text=name).click()
        expect(page.locator("h1")).to_contain_text(name)
    expect(page.locator("#communities")).to_have_count(1)
    overdue = page.locator("#stuck-overdue .stuck-item").first
    assert "逾期 5 天" in overdue.inner_text()
    overdue.click()
    expect(page.locator(".status-line .badge-overdue")).to_have_text("逾期")
    expect(page.locator(".step-current.step-overdue")).to_have_count(1)
    assert page.console_errors == []


def test_switching_to_english_changes_the_pages_and_the_dates(live, page):
    sign_in(page, live.url, "cadre")
    page.locator(".langswitch button[value=en]").click()
    expect(page.locator("h1")).to_have_text("Worklist")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("table.worklist")).to_contain_text("due December 31, 2014")
    page.locator("tr", has_text="北市社区").locator("td").first.locator("a").click()
    expect(page.locator("#why-open_nomination")).to_contain_text("Not possible yet. Still missing:")
    page.locator(".langswitch button[value=zh]").click()
    expect(page.locator("#why-open_nomination")).to_contain_text("暂不能进行")
    assert page.console_errors == []


def test_the_pages_work_on_a_tablet_in_portrait(live, browser):
    context = browser.new_context(viewport={"width": 768, "height": 1024}, locale="zh-CN")
    tab = context.new_page()
    sign_in(tab, live.url, "cadre")
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= 768  # nothing forces sideways scrolling
    tab.locator("tr", has_text="北市社区").locator("td").first.locator("a").click()
    expect(tab.locator("#checklist")).to_have_count(1)
    assert tab.evaluate("document.documentElement.scrollWidth") <= 768
    shot(tab, "election-tablet-zh")
    context.close()
