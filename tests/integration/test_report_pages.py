"""The web pages of data exchange: the report page, its downloads, submissions and the import page."""
from __future__ import annotations

import io
import re

import openpyxl
import pytest

from tests.integration.report_fixture import build_report_world
from tests.support import PASSWORD


@pytest.fixture
def app(db):
    from web import create_app
    build_report_world(db)
    return create_app({"DATABASE": db, "TESTING": True, "WTF_CSRF_ENABLED": False})


def client(app, username):
    c = app.test_client()
    assert c.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    return c


def test_the_report_page_shows_the_figures_charts_map_and_download_buttons(app):
    c = client(app, "city")
    page = c.get("/data/report?campaign=LN2014")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "沈阳市" in html and "和平区" in html and "沈河区" in html
    assert html.count("<svg") >= 8 and "chart-map" in html and "chart-bars" in html
    assert "/data/report/download?" in html and "format=xlsx" in html
    assert "<script" not in html.split("</head>")[1], "no inline script under the CSP"
    english = c.get("/data/report?region=210102", headers={"Accept-Language": "en"})
    assert english.status_code == 200 and "太原街街道" in english.get_data(as_text=True)
    assert c.get("/data/report?region=210000").status_code == 404


def test_the_report_downloads_from_the_page(app):
    c = client(app, "city")
    r = c.get("/data/report/download?campaign=LN2014&format=xlsx")
    assert r.status_code == 200 and openpyxl.load_workbook(io.BytesIO(r.data))["概况"]["B4"].value == 3
    assert c.get("/data/report/download?campaign=LN2014&format=csv").data.startswith(b"\xef\xbb\xbf")
    assert c.get("/data/report/download?format=pdf").status_code == 404


def test_a_city_submits_its_report_and_the_province_sees_it(app):
    city = client(app, "city")
    page = city.get("/data/submissions").get_data(as_text=True)
    assert 'name="narrative"' in page and 'value="210100"' in page
    assert re.search(r'summary-card countdown".*?<dd>[^<]*95[^<]*</dd>', page, re.S), "95 days to 2015-04-10"
    assert city.post("/data/submissions?campaign=LN2014", data={"city": "210100", "narrative": ""}).status_code == 400
    r = city.post("/data/submissions?campaign=LN2014", data={"city": "210100", "narrative": "全市换届顺利"})
    assert r.status_code == 302
    province = client(app, "province").get("/data/submissions").get_data(as_text=True)
    assert "全市换届顺利" in province and "badge-ok" in province and 'name="narrative"' not in province


def test_an_upload_with_problems_lists_them_and_a_clean_one_imports(app):
    admin = client(app, "admin")
    bad = "社区代码,社区名称,街道代码,户数\n210102001090,甲,x,很多\n".encode("gb18030")
    r = admin.post("/data/import", data={"kind": "communities", "file": (io.BytesIO(bad), "c.csv")},
                   content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and 'id="problems"' in html
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert cells[:6] == ["2", "户数", "必须是整数，而不是“很多”", "2", "街道代码", "街道代码“x”不存在"]
    good = "社区代码,社区名称,街道代码\n210102001090,甲,210102001\n".encode()
    r = admin.post("/data/import", data={"kind": "communities", "file": (io.BytesIO(good), "c.csv")},
                   content_type="multipart/form-data", follow_redirects=True)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "flash-success" in page and "c.csv" in page and 'id="problems"' not in page


def test_templates_and_exports_download_and_cadres_may_not_import(app):
    admin = client(app, "admin")
    template = admin.get("/data/template/communities.xlsx")
    assert template.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(template.data)).worksheets[0]["A1"].value == "社区代码"
    export = admin.get("/data/export/communities.csv").data.decode("utf-8-sig")
    assert export.splitlines()[0].startswith("社区代码,社区名称,街道代码") and "210103001001" in export
    assert admin.get("/data/export/things.csv").status_code == 404
    cadre = client(app, "cadre")
    assert cadre.get("/data/import").status_code == 403
    assert cadre.get("/data/export/users.xlsx").status_code == 403
    assert cadre.get("/data/report").status_code == 200
    assert app.test_client().get("/data/report").status_code == 302
