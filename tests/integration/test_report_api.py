"""The report, its downloads, the submissions and file imports through the JSON API."""
from __future__ import annotations

import io

import openpyxl
import pytest

from tests.e2e.api_support import Api, assert_error
from tests.integration.report_fixture import build_report_world


@pytest.fixture
def api(db):
    from web import create_app
    world = build_report_world(db)
    return Api(create_app({"DATABASE": db, "TESTING": True}), world)


def test_the_report_is_served_as_json_within_the_callers_scope(api):
    r = api.get("/campaigns/LN2014/report?city=210100", who="city")
    assert r.status_code == 200
    body = r.get_json()
    assert body["totals"]["communities"] == 3 and [row["code"] for row in body["rows"]] == ["210102", "210103"]
    assert api.get("/campaigns/LN2014/report", who="county").get_json()["region"]["code"] == "210102"
    assert api.get("/campaigns/LN2014/report?region=210102", who="observer").status_code == 200
    assert_error(api.get("/campaigns/LN2014/report?city=210100", who="county"), 404, "not_found")
    assert_error(api.get("/campaigns/NOPE/report?city=210100", who="city"), 404, "not_found")
    assert_error(api.get("/campaigns/LN2014/report?city=210100", who=None), 401, "unauthenticated")


def test_the_report_downloads_as_xlsx_csv_and_json(api):
    r = api.get("/campaigns/LN2014/report/download?city=210100&format=xlsx", who="city")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in r.headers["Content-Disposition"] and ".xlsx" in r.headers["Content-Disposition"]
    assert openpyxl.load_workbook(io.BytesIO(r.data))["概况"]["B4"].value == 3
    r = api.get("/campaigns/LN2014/report/download?city=210100&format=csv&lang=en", who="city")
    assert r.data.startswith(b"\xef\xbb\xbf") and b"Region code" in r.data
    r = api.get("/campaigns/LN2014/report/download?city=210100&format=json", who="city")
    assert r.get_json()["totals"]["residents"]["overdue"] == 2
    assert_error(api.get("/campaigns/LN2014/report/download?format=pdf", who="city"), 400, "invalid_request")


def test_the_map_lists_the_districts(api):
    items = api.get("/campaigns/LN2014/map?city=210100", who="province").get_json()["items"]
    assert [(i["code"], i["completion"]) for i in items] == [("210102", 0.5), ("210103", 0.0)]


def test_a_city_submits_and_the_province_follows_the_submissions(api):
    assert_error(api.put("/campaigns/LN2014/submissions/210100", {"narrative": "总结"}, who="province"),
                 403, "forbidden")
    assert_error(api.put("/campaigns/LN2014/submissions/210100", {"narrative": ""}, who="city"),
                 400, "invalid_request")
    assert_error(api.put("/campaigns/LN2014/submissions/210100", {"narrative": "x", "extra": 1}, who="city"),
                 400, "invalid_request")
    assert_error(api.put("/campaigns/LN2014/submissions/210100", {"narrative": "总结"}, who="cadre"),
                 404, "not_found")
    r = api.put("/campaigns/LN2014/submissions/210100", {"narrative": "沈阳市总结"}, who="city")
    assert r.status_code == 200 and r.get_json()["submitted_by"] == "city"
    status = api.get("/campaigns/LN2014/submissions", who="province").get_json()
    assert (status["submitted"], status["total"], status["days_left"]) == (1, 1, 95)
    one = api.get("/campaigns/LN2014/submissions/210100", who="province").get_json()
    assert one["narrative"] == "沈阳市总结" and one["late"] is False


def upload(api, data, who="admin", kind="communities", **headers):
    """POST a file as the raw request body."""
    headers["Authorization"] = f"Bearer {api.token_for(who)}"
    return api.app.test_client().post(f"/api/v1/imports/{kind}", data=data, headers=headers, content_type="text/csv")


def test_a_file_import_reports_every_problem_or_imports_everything(api):
    bad = "社区代码,社区名称,街道代码,户数\n210102001080,甲,210102001,很多\n210102001081,乙,x,1\n".encode("gb18030")
    r = upload(api, bad, **{"Accept-Language": "en"})
    body = assert_error(r, 400, "invalid_request")
    assert [(p["row"], p["column"]) for p in body["problems"]] == [(2, "户数"), (3, "街道代码")]
    assert "file" in body["fields"]
    good = "社区代码,社区名称,街道代码\n210102001080,甲,210102001\n".encode("utf-8")
    r = upload(api, good)
    assert r.status_code == 200 and r.get_json()["created"] == 1
    assert upload(api, good).get_json()["unchanged"] == 1
    assert_error(upload(api, good, who="cadre"), 403, "forbidden")
    assert_error(upload(api, good, kind="things"), 400, "invalid_request")
    assert_error(upload(api, b""), 400, "invalid_request")


def test_an_import_may_send_the_csv_text_as_json(api):
    text = "社区代码,社区名称,街道代码\n210102001082,丙,210102001\n"
    r = api.post("/imports/communities", {"content": text, "filename": "丙.csv"}, who="county")
    assert r.status_code == 200 and r.get_json()["created"] == 1
    assert_error(api.post("/imports/communities", {"content": text, "colour": "red"}), 400, "invalid_request")
    outside = api.post("/imports/communities", {"content": text.replace("210102001\n", "210103001\n")}, who="county")
    assert [p["column"] for p in assert_error(outside, 400, "invalid_request")["problems"]] == ["街道代码"]
