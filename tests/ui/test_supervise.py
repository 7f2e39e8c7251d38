"""Supervision: drill-down with counts, the stuck list and its extension point, bulk inspection and acceptance."""
from __future__ import annotations

import datetime as dt
import re

from tests.support import TODAY
from tests.ui.conftest import advance, election_state, text
from workflow import clock
from workflow.services.complaints import file_complaint
from workflow.services.election_data import record_fact
from workflow.services.elections import fire_trigger


def test_a_province_supervisor_drills_down_from_the_province_to_a_street(ui, world):
    client = ui("province")
    top = text(client.get("/supervise"))
    assert "辽宁省" in top and "按市" in top and 'href="/supervise?region=210100' in top
    assert "<svg" in top and "chart-bars" in top and "chart-progress" in top
    city = text(client.get("/supervise?region=210100"))
    assert "沈阳市" in city and "和平区" in city and "沈河区" in city and "按县（市、区）" in city
    county = text(client.get("/supervise?region=210102"))
    assert "太原街街道" in county and "大西街道" not in county
    street = text(client.get("/supervise?region=210102001"))
    assert "本街道的社区" in street and "北市社区" in street and "南湖村社区" in street
    assert f'href="/elections/{world.elections["a_party"]}"' in street
    crumbs = street[street.index('class="crumbs"'):street.index("</nav>", street.index('class="crumbs"'))]
    assert all(name in crumbs for name in ("辽宁省", "沈阳市", "和平区", "太原街街道"))


def test_the_counts_per_state_and_the_completion_are_shown(ui, world):
    advance(world, "a_party", "nomination")
    page = text(ui("province").get("/supervise?region=210102"))
    figures = dict(re.findall(r"<dt>(.*?)</dt><dd>(?:<a[^>]*>)?([\d,]+)", page))
    assert figures["社区"] == "2" and figures["选举"] == "4" and figures["已完成"] == "0"
    table = page[page.index('class="table compact states-table"'):]
    cells = re.findall(r'<td class="num">([\d,]+)</td>', table)
    assert cells[:2] == ["3", "1"]  # three in preparation, one in nomination
    assert "0%" in page


def test_the_body_filter_counts_one_kind_of_election(ui, world):
    advance(world, "a_party", "nomination")
    page = text(ui("province").get("/supervise?region=210102&body=party"))
    figures = dict(re.findall(r"<dt>(.*?)</dt><dd>(?:<a[^>]*>)?([\d,]+)", page))
    assert figures["选举"] == "2"


def test_the_stuck_list_shows_overdue_elections_most_days_first(ui, world):
    advance(world, "a_party", "nomination")
    clock.freeze(TODAY + dt.timedelta(days=40))  # 2015-01-19: preparation (due 2014-12-31) is 19 days late
    page = text(ui("province").get("/supervise?region=210100&kind=overdue"))
    stuck = page[page.index('id="stuck"'):]
    assert "逾期 19 天" in stuck and "南湖村社区" in stuck and "大西社区" in stuck
    assert f'href="/elections/{world.elections["a_party"]}"' not in stuck  # in nomination, due 2015-01-20


def test_the_stuck_list_shows_suspensions_complaints_and_key_communities(ui, world):
    with world.db.uow() as uow:
        fire_trigger(uow, world.actors["city"], world.elections["b_party"], "suspend", 1, "停电")
    with world.db.uow() as uow:
        file_complaint(uow, world.actors["cadre"], world.elections["a_party"], "procedure", None, "2014-12-09",
                       "选民名单有误")
    page = text(ui("province").get("/supervise"))
    stuck = page[page.index('id="stuck"'):]
    assert "暂停于准备阶段" in stuck and "大西社区" in stuck
    assert "程序问题" in stuck and "须于 2015年1月8日 前办结" in stuck
    key = text(ui("province").get("/supervise?kind=key"))
    assert "南湖村社区" in key[key.index('id="stuck"'):]


def test_another_feature_adds_a_kind_of_stuck_item(ui, world):
    from web.ui.queries import STUCK_SOURCES, StuckSource, register_stuck_source

    def escalations(_s, q):
        return [{"kind": "escalation", "community": "210102001001", "community_name": "北市社区",
                 "street_name": "太原街街道", "detail": "三级督办", "link": "/supervise"}], 1
    saved = list(STUCK_SOURCES)
    try:
        register_stuck_source(StuckSource("escalations", "督办", escalations))
        page = text(ui("province").get("/supervise"))
        assert "督办" in page and "三级督办" in page and "kind=escalations" in page
    finally:
        STUCK_SOURCES[:] = saved


def test_a_region_outside_the_users_area_is_not_found(ui):
    assert ui("county").get("/supervise?region=210103").status_code == 404
    assert ui("cadre").get("/supervise?region=210102").status_code == 404
    assert ui("cadre").get("/supervise").status_code == 200


def summary_ready(world, key):
    advance(world, key, "summary")
    with world.db.uow() as uow:
        record_fact(uow, world.actors["cadre"], world.elections[key], "summary_written", True)


def test_a_city_supervisor_previews_then_accepts_a_street(ui, world):
    summary_ready(world, "a_party")
    advance(world, "v_party", "summary")
    client = ui("city")
    page = text(client.get("/supervise?region=210102001"))
    assert 'href="/supervise/accept?campaign=LN2014&amp;region=210102001"' in page
    preview = client.get("/supervise/accept?campaign=LN2014&region=210102001")
    body = text(preview)
    assert preview.status_code == 200 and "将验收：1 个" in body and "尚不具备条件：1 个" in body
    assert "北市社区" in body and "南湖村社区" in body and "换届选举工作总结已完成" in body
    assert election_state(world, "a_party") == "summary"  # a preview changes nothing
    done = client.post("/supervise/accept", {"campaign": "LN2014", "region": "210102001"})
    assert done.status_code == 302
    assert election_state(world, "a_party") == "closed" and election_state(world, "v_party") == "summary"
    assert "已检查验收 1 个选举" in text(client.get(done.headers["Location"]))


def test_bulk_acceptance_needs_a_city_supervisor_a_county_or_street_and_the_csrf_token(ui, world):
    summary_ready(world, "a_party")
    county = ui("county")
    assert "/supervise/accept" not in text(county.get("/supervise?region=210102001"))
    assert county.get("/supervise/accept?campaign=LN2014&region=210102001").status_code == 403
    assert county.post("/supervise/accept", {"campaign": "LN2014", "region": "210102001"}).status_code == 403
    city = ui("city")
    assert city.get("/supervise/accept?campaign=LN2014&region=210100").status_code == 400
    assert city.get("/supervise/accept?campaign=LN2014&region=210103999").status_code == 404
    assert city.post("/supervise/accept", {"campaign": "LN2014", "region": "210102001"},
                     csrf=False).status_code == 400
    assert election_state(world, "a_party") == "summary"


def test_the_dashboard_is_available_in_english(ui):
    client = ui("province")
    client.post("/language", {"lang": "en", "next": "/"})
    page = text(client.get("/supervise"))
    assert "Supervision" in page and "Completed elections" in page and "Needs attention" in page
