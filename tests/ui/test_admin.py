"""Administration pages: users, regions, communities, campaigns and responsibilities, inside one's area."""
from __future__ import annotations

from sqlalchemy import select

from tests.support import DUE
from tests.ui.conftest import text
from workflow.models import Campaign, Community, CommunityOrder, Election, Region, Responsibility, User


def test_cadres_and_observers_have_no_administration(ui):
    for name in ("cadre", "observer", "inspector"):
        client = ui(name)
        assert client.get("/admin").status_code == 403
        assert client.post("/admin/users", {"user-username": "x"}).status_code == 403
        assert "管理" not in text(client.get("/")).split('class="mainnav"')[1].split("</nav>")[0]


def test_an_admin_creates_a_user_who_can_sign_in(ui, world):
    client = ui("admin")
    response = client.post("/admin/users", {
        "user-username": "zhang.wei", "user-display_name": "张伟", "user-password": "a good password",
        "user-role": "cadre", "user-scope": "210102001"})
    assert response.status_code == 302
    assert "zhang.wei" in text(client.get("/admin/users"))
    fresh = ui()
    assert fresh.post("/login", {"username": "zhang.wei", "password": "a good password"}).status_code == 302


def test_a_user_form_with_mistakes_keeps_what_was_typed(ui):
    response = ui("admin").post("/admin/users", {
        "user-username": "cadre", "user-display_name": "重名", "user-password": "a good password",
        "user-role": "cadre", "user-scope": "210102001"})
    assert response.status_code == 409 and "该用户名已存在" in text(response) and 'value="重名"' in text(response)
    response = ui("admin").post("/admin/users", {
        "user-username": "li", "user-password": "short", "user-role": "cadre", "user-scope": "210102001"})
    assert response.status_code == 400 and "至少 8 个字符" in text(response) and 'value="li"' in text(response)


def test_a_county_supervisor_manages_only_users_of_the_county(ui, world):
    client = ui("county")
    listing = text(client.get("/admin/users"))
    assert "cadre" in listing and "othercadre" not in listing and "province" not in listing
    outside = client.post("/admin/users", {"user-username": "wang", "user-password": "a good password",
                                           "user-role": "cadre", "user-scope": "210103001"})
    assert outside.status_code == 404
    page = text(outside)
    assert 'value="wang"' in page and "您的管辖区域内没有该区域" in page
    assert 'value="admin"' not in page  # only an admin creates admins
    with world.db.uow(write=False) as uow:
        assert uow.session.scalars(select(User).where(User.username == "wang")).first() is None


def test_regions_are_created_under_a_parent_inside_the_area(ui, world):
    client = ui("county")
    page = text(client.get("/admin/regions?parent=210102"))
    assert "太原街街道" in page and 'value="210102"' in page
    response = client.post("/admin/regions?parent=210102", {"region-code": "210102002", "region-name": "北市街道",
                                                              "region-level": "street", "region-parent": "210102"})
    assert response.status_code == 302
    assert "北市街道" in text(client.get("/admin/regions?parent=210102"))
    duplicate = client.post("/admin/regions", {"region-code": "210102002", "region-name": "重复",
                                               "region-level": "street", "region-parent": "210102"})
    assert duplicate.status_code == 409 and "该区划代码已存在" in text(duplicate)
    assert client.get("/admin/regions?parent=210103").status_code == 404


def test_communities_are_created_and_their_flags_edited(ui, world):
    client = ui("county")
    response = client.post("/admin/communities", {
        "comm-code": "210102001009", "comm-name": "新桥社区", "comm-street": "210102001", "comm-households": "500",
        "comm-voters": "900", "comm-party_org_type": "branch", "comm-party_members": "30"})
    assert response.status_code == 302
    listing = text(client.get("/admin/communities?street=210102001"))
    assert "新桥社区" in listing and listing.count("badge-key") == 1
    response = client.post("/admin/communities/210102001009", {
        "comm-name": "新桥社区", "comm-households": "520", "comm-voters": "900", "comm-party_org_type": "branch",
        "comm-party_members": "30", "comm-migrant_dense": "y"})
    assert response.status_code == 302
    with world.db.uow(write=False) as uow:
        c = uow.session.scalars(select(Community).where(Community.code == "210102001009")).one()
        assert c.migrant_dense and c.key_difficult and c.households == 520
    assert ui("othercadre").get("/admin/communities/210102001009").status_code == 403
    assert ui("city").get("/admin/communities/210102001009").status_code == 200


def test_a_community_of_another_area_cannot_be_edited(ui):
    client = ui("county")
    assert client.get("/admin/communities/210103001001").status_code == 404
    assert client.post("/admin/communities/210103001001", {"comm-name": "改名", "comm-party_org_type": "branch"}
                       ).status_code == 404


def test_a_campaign_is_created_with_its_due_dates_and_launched(ui, world):
    client = ui("admin")
    data = {"camp-code": "SY2015", "camp-name": "沈阳市补选", "camp-rule_set": "liaoning-2014", "camp-scope": "210100",
            "camp-order": "concurrent"}
    data.update({f"camp-due_{k}": v for k, v in DUE.items()})
    assert client.post("/admin/campaigns", data).status_code == 302
    page = text(client.get("/admin/campaigns"))
    assert "沈阳市补选" in page and "同步进行" in page
    assert client.post("/admin/campaigns/SY2015/launch").status_code == 302
    with world.db.uow(write=False) as uow:
        camp = uow.session.scalars(select(Campaign).where(Campaign.code == "SY2015")).one()
        assert len(list(uow.session.scalars(select(Election).where(Election.campaign_id == camp.id)))) == 6
    assert "换届工作已启动：生成 6 个选举" in text(client.get("/admin/campaigns"))


def test_due_dates_going_backwards_are_refused_and_the_form_is_kept(ui):
    data = {"camp-code": "BAD", "camp-name": "倒序", "camp-rule_set": "liaoning-2014", "camp-scope": "210100",
            "camp-order": "party_first"}
    data.update({f"camp-due_{k}": v for k, v in DUE.items()})
    data["camp-due_voting"] = "2014-12-01"
    response = ui("admin").post("/admin/campaigns", data)
    assert response.status_code == 400
    assert "各阶段截止日期不能早于前一阶段" in text(response) and 'value="倒序"' in text(response)


def test_a_supervisor_overrides_the_order_of_one_community(ui, world):
    client = ui("county")
    response = client.post("/admin/campaigns", {"ord-campaign": "LN2014", "ord-community": "210102001001",
                                                "ord-order": "residents_first"})
    assert response.status_code == 302
    with world.db.uow(write=False) as uow:
        assert uow.session.scalars(select(CommunityOrder)).one().order == "residents_first"
    outside = client.post("/admin/campaigns", {"ord-campaign": "LN2014", "ord-community": "210103001001",
                                               "ord-order": "concurrent"})
    assert outside.status_code == 404 and "您的管辖区域内没有该社区" in text(outside)


def test_responsibilities_are_named_and_listed(ui, world):
    client = ui("county")
    listing = text(client.get("/admin/responsibilities"))
    assert "北市社区" in listing and "太原街街道" in listing
    response = client.post("/admin/responsibilities", {"resp-target": "210102001002", "resp-username": "street",
                                                       "resp-kind": "contact"})
    assert response.status_code == 302
    with world.db.uow(write=False) as uow:
        row = uow.session.scalars(select(Responsibility).where(Responsibility.target_code == "210102001002")).one()
        assert row.user.username == "street"
    unknown = client.post("/admin/responsibilities", {"resp-target": "210102001002", "resp-username": "nobody",
                                                      "resp-kind": "contact"})
    assert unknown.status_code == 400 and "没有该用户" in text(unknown) and 'value="nobody"' in text(unknown)


def test_admin_pages_reject_forms_without_the_csrf_token(ui, world):
    client = ui("admin")
    response = client.post("/admin/regions", {"region-code": "219999", "region-name": "x", "region-level": "city",
                                              "region-parent": "210000"}, csrf=False)
    assert response.status_code == 400
    with world.db.uow(write=False) as uow:
        assert uow.session.scalars(select(Region).where(Region.code == "219999")).first() is None
    assert client.post("/admin/campaigns/LN2014/launch", csrf=False).status_code == 400


def test_the_admin_menu_lists_every_area(ui):
    page = text(ui("admin").get("/admin"))
    for href in ("/admin/users", "/admin/regions", "/admin/communities", "/admin/campaigns",
                 "/admin/responsibilities"):
        assert f'href="{href}"' in page


def test_a_campaign_sets_its_own_report_date_or_falls_back_to_summary_due_plus_ten_days(ui, world):
    client = ui("admin")
    base = {"camp-name": "沈阳市换届", "camp-rule_set": "liaoning-2014", "camp-scope": "210100",
            "camp-order": "concurrent", **{f"camp-due_{k}": v for k, v in DUE.items()}}
    form = text(client.get("/admin/campaigns"))
    assert "规则集liaoning-2014为其本次换届建议的日期为2015年4月10日" in form  # a suggestion, never the default
    assert client.post("/admin/campaigns", {**base, "camp-code": "OWN", "camp-report_due": "2015-04-20"}
                       ).status_code == 302
    assert client.post("/admin/campaigns", {**base, "camp-code": "NONE"}).status_code == 302
    with world.db.uow(write=False) as uow:
        rows = {c.code: c.report_due for c in uow.session.scalars(select(Campaign))}
    assert str(rows["OWN"]) == "2015-04-20" and rows["NONE"] is None
    page = text(client.get("/admin/campaigns"))
    assert "各市报送截止2015年4月20日" in page and "各市报送截止2015年4月15日（总结截止日期后10天）" in page
