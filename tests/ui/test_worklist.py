"""The worklist: communities in scope with both elections, search, filters and pages."""
from __future__ import annotations

import datetime as dt

from tests.support import TODAY
from tests.ui.conftest import advance, text
from workflow import clock


def test_a_cadre_sees_the_communities_of_their_street_only(ui):
    page = text(ui("cadre").get("/"))
    assert "北市社区" in page and "南湖村社区" in page
    assert "大西社区" not in page
    assert "共 2 个社区" in page


def test_each_community_shows_both_elections_with_state_due_date_and_next_step(ui, world):
    page = text(ui("cadre").get("/"))
    assert f'href="/elections/{world.elections["a_party"]}"' in page
    assert f'href="/elections/{world.elections["a_residents"]}"' in page
    assert "准备阶段" in page and "截止 2014年12月31日" in page and "启动提名" in page


def test_key_difficult_communities_carry_a_badge_and_can_be_filtered(ui):
    client = ui("cadre")
    assert text(client.get("/")).count("badge-key") == 1
    page = text(client.get("/?key=1"))
    assert "南湖村社区" in page and "北市社区" not in page


def test_search_finds_communities_by_name_or_code(ui):
    client = ui("cadre")
    by_name = text(client.get("/?q=北市"))
    assert "北市社区" in by_name and "南湖村社区" not in by_name
    by_code = text(client.get("/?q=210102001002"))
    assert "南湖村社区" in by_code and "北市社区" not in by_code
    assert "没有符合条件的社区" in text(client.get("/?q=不存在"))


def test_the_state_filter_keeps_communities_with_an_election_in_that_state(ui, world):
    advance(world, "a_party", "nomination")
    client = ui("cadre")
    page = text(client.get("/?state=nomination"))
    assert "北市社区" in page and "南湖村社区" not in page
    assert "提名推荐" in page


def test_the_overdue_filter_shows_what_is_late_and_by_how_many_days(ui, world):
    advance(world, "a_party", "nomination")
    clock.freeze(TODAY + dt.timedelta(days=25))  # 2015-01-04: preparation (due 2014-12-31) is late
    page = text(ui("cadre").get("/?overdue=1"))
    assert "南湖村社区" in page and "逾期 4 天" in page
    assert "北市社区" in page  # its residents' election is still in preparation


def test_an_unknown_state_in_the_address_resets_the_filter_instead_of_failing(ui):
    response = ui("cadre").get("/?state=nonsense&page=abc")
    assert response.status_code == 200 and "阶段无效" in text(response)


def test_long_lists_are_split_into_pages(app, ui):
    app.config["UI_PER_PAGE"] = 1
    client = ui("province")
    first = text(client.get("/"))
    assert "第 1 页，共 3 页" in first and "北市社区" in first and "南湖村社区" not in first
    second = text(client.get("/?page=2"))
    assert "南湖村社区" in second and 'rel="prev"' in second and 'rel="next"' in second


def test_a_supervisor_sees_every_community_of_their_region(ui):
    page = text(ui("province").get("/"))
    assert all(name in page for name in ("北市社区", "南湖村社区", "大西社区"))
    assert "大西社区" in text(ui("othercadre").get("/")) and "北市社区" not in text(ui("othercadre").get("/"))


def test_the_worklist_is_available_in_english(ui):
    client = ui("cadre")
    client.post("/language", {"lang": "en", "next": "/"})
    page = text(client.get("/"))
    assert "Worklist" in page and "Preparation" in page and "Open nomination" in page and "2 communities" in page
