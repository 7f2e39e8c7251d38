"""The election page's people and posts: id numbers entered once and shown masked, the posts form, the roster."""
from __future__ import annotations

import datetime as dt

from tests.ui.conftest import advance, candidates, text
from workflow.identity import make_id_number

NUMBER = make_id_number("210102", dt.date(1980, 5, 17), 123)
MASKED = NUMBER[:6] + "********" + NUMBER[-4:]


def url(world, key, tail=""):
    return f"/elections/{world.elections[key]}{tail}"


def test_an_id_number_is_entered_once_and_the_page_only_ever_shows_it_masked(ui, world):
    advance(world, "a_party", "nomination")
    client = ui("cadre")
    wrong = NUMBER[:17] + ("0" if NUMBER[17] != "0" else "1")
    response = client.post(url(world, "a_party", "/candidates"), {"cand-name": "王芳", "cand-post": "member",
                                                                  "cand-id_number": wrong})
    assert response.status_code == 400
    page = text(response)
    assert "身份证号校验位不正确" in page and wrong not in page  # the typed number is not sent back
    response = client.post(url(world, "a_party", "/candidates"), {"cand-name": "王芳", "cand-post": "member",
                                                                  "cand-id_number": NUMBER, "cand-incumbent": "y"})
    assert response.status_code == 302
    page = text(client.get(url(world, "a_party")))
    assert MASKED in page and NUMBER not in page and "上届成员" in page
    cand = next(c for c in candidates(world, "a_party") if c.name == "王芳")
    edit = text(client.get(f"/candidates/{cand.id}/edit"))
    assert f"已登记：{MASKED}" in edit and NUMBER not in edit
    response = client.post(f"/candidates/{cand.id}/edit", {"cand-name": "王芳", "cand-post": "member",
                                                           "cand-id_number": ""})
    assert response.status_code == 302
    assert next(c for c in candidates(world, "a_party") if c.id == cand.id).id_masked == MASKED  # empty keeps it


def test_the_posts_form_appears_in_certification_and_names_the_secretary(ui, world):
    advance(world, "a_party", "certification")
    client = ui("cadre")
    page = text(client.get(url(world, "a_party")))
    assert 'id="posts"' in page and "保存职务" in page and 'href="#posts"' in page
    elected = [c.id for c in candidates(world, "a_party") if c.elected]
    response = client.post(url(world, "a_party", "/posts"), {"posts-x": "", "secretary": str(elected[0]),
                                                             "deputy": [str(elected[0])]})
    assert response.status_code == 400 and "一人只能担任书记或副书记中的一个职务" in text(response)
    response = client.post(url(world, "a_party", "/posts"), {"posts-x": "", "secretary": str(elected[0]),
                                                             "deputy": [str(elected[1])], "full_time": str(elected[1])})
    assert response.status_code == 302
    page = text(client.get(url(world, "a_party")))
    assert "职务已确定" in page or "确定职务" in page
    assert 'id="check-secretary_elected"' in page and "check-ok\" id=\"check-secretary_elected" in page


def test_the_roster_is_kept_beside_the_party_election(ui, world):
    client = ui("cadre")
    response = client.post(url(world, "a_party", "/roster"), {"roster-kind": "first_secretary", "roster-name": "刘洋",
                                                              "roster-unit": "和平区民政局", "roster-start_on": "2014-12-01"})
    assert response.status_code == 302
    response = client.post(url(world, "a_party", "/roster"), {"roster-kind": "first_secretary", "roster-name": "张伟",
                                                              "roster-unit": "区委组织部"})
    assert response.status_code == 409 and "该社区名册中已有第一书记" in text(response)
    page = text(client.get(url(world, "a_party")))
    assert "第一书记和兼职委员" in page and "刘洋" in page and "和平区民政局" in page
    assert 'id="roster"' not in text(client.get(url(world, "a_residents")))
    from workflow.services.roster import list_roster
    with world.db.uow(write=False) as uow:
        member = list_roster(uow, world.actors["cadre"], world.elections["a_party"])[0]["id"]
    response = client.post(url(world, "a_party", f"/roster/{member}/end"), {"end-x": "", "end_on": "2014-11-01"})
    assert response.status_code == 400 and "不能早于起始日期" in text(response)
    response = client.post(url(world, "a_party", f"/roster/{member}/end"), {"end-x": "", "end_on": "2017-12-31"})
    assert response.status_code == 302 and 'value="2017-12-31"' in text(client.get(url(world, "a_party")))
    response = client.post(url(world, "a_party", f"/roster/{member}/remove"), {"rm-x": "", "reason": "录入错误"})
    assert response.status_code == 302 and "名册中尚无人员" in text(client.get(url(world, "a_party")))


def test_the_community_shows_yijiantiao_and_cross_membership(ui, world):
    advance(world, "a_residents", "certification")  # the party election first, then the residents'
    client = ui("cadre")
    page = text(client.get(url(world, "a_residents")))
    assert "本社区两委班子" in page and "书记、主任“一肩挑”" in page and "两委交叉任职" in page
