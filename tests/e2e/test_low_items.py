"""The Low items of issue 12, each first failing on main.

Escalation times without an offset on SQLite; request bodies not marked required; the bulletin's text/csv not
documented; Swagger UI from a CDN the CSP blocks; no Cache-Control on authenticated answers; revote fired twice
without a round; no Secure cookies or HSTS with HUANJIE_SECURE_COOKIES=1.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from tests.e2e.api_support import Api, api  # noqa: F401
from tests.integration.engine_support import Engine
from tests.support import PASSWORD
from workflow.errors import GuardsFailed


def spec(api: Api) -> dict[str, Any]:
    return api.app.test_client().get("/api/v1/openapi.json").get_json()


def test_escalation_times_carry_a_utc_offset_on_both_databases(api):
    assert api.post("/admin/sweep", {"at": "2015-06-01"}).status_code == 200
    items = api.get("/escalations?per_page=5").get_json()["items"]
    assert items
    for item in items:
        assert dt.datetime.fromisoformat(item["raised_at"]).utcoffset() is not None, item
        if item["closed_at"] is not None:
            assert dt.datetime.fromisoformat(item["closed_at"]).utcoffset() is not None


def test_every_request_body_with_required_fields_is_marked_required(api):
    doc = spec(api)
    schemas = doc["components"]["schemas"]
    missing = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            body = op.get("requestBody")
            if not body:
                continue
            schema = body["content"].get("application/json", {}).get("schema", {})
            while "$ref" in schema:
                schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
            if schema.get("required") and not body.get("required"):
                missing.append((method, path))
    assert missing == []


def test_the_document_states_ranges_of_ids_dates_and_lists(api):
    doc = spec(api)
    read = doc["components"]["schemas"]["ReadIn"]["properties"]["ids"]
    assert read["maxItems"] == 1000 and read["items"]["maximum"] == 2**31 - 1 and read["items"]["minimum"] == 1
    params = {p["name"]: p["schema"] for p in doc["paths"]["/api/v1/bulletins"]["get"]["parameters"]}
    assert params["date"]["format"] == "date"
    assert params["page"]["minimum"] == 1 and params["per_page"]["maximum"] == 500


def test_the_bulletin_documents_its_csv_download(api):
    content = spec(api)["paths"]["/api/v1/bulletins/{bulletin_id}"]["get"]["responses"]["200"]["content"]
    assert set(content) == {"application/json", "text/csv"}


def test_the_api_docs_load_swagger_ui_from_this_server_within_the_csp(api):
    client = api.app.test_client()
    r = client.get("/api/v1/docs")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "<script>" not in html and "cdn" not in html.lower()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) == 3 and all(a.startswith("/static/") for a in assets), assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]


def test_api_answers_and_signed_in_pages_are_not_stored_but_static_files_may_be(api):
    assert api.get("/me").headers["Cache-Control"] == "no-store"
    assert api.get("/elections/999999").headers["Cache-Control"] == "no-store"
    client = api.app.test_client()
    api.app.config["WTF_CSRF_ENABLED"] = False
    assert client.post("/login", data={"username": "cadre", "password": PASSWORD}).status_code == 302
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/app.css").headers.get("Cache-Control", "")


def test_revote_cannot_be_fired_twice_without_a_round_in_between(db):
    eng = Engine(db)
    eng.advance("a_party", "voting")
    c = eng.standing("a_party")
    invalid = {"expected": 100, "present": 70, "ballots_issued": 70, "ballots_returned": 70, "ballots_invalid": 0}
    eng.round("a_party", kind="first", votes={str(x): 60 for x in c[:3]}, **invalid)  # 70 of 100: no quorum
    eng.fire("a_party", "revote")
    with pytest.raises(GuardsFailed) as err:
        eng.fire("a_party", "revote")
    assert [u.code for u in err.value.unmet] == ["round_invalid"]
    eng.round("a_party", kind="revote", votes={str(x): 40 for x in c[:3]}, **invalid)
    eng.fire("a_party", "revote")  # a new invalid round: a revote again


@pytest.mark.parametrize("secure", [True, False])
def test_cookies_are_secure_and_hsts_is_sent_exactly_when_secure_cookies_are_on(db, monkeypatch, secure):
    from tests.support import build_world
    from web import create_app
    build_world(db)
    monkeypatch.setenv("HUANJIE_SECURE_COOKIES", "1" if secure else "0")
    app = create_app({"DATABASE": db, "TESTING": True, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    r = client.post("/login", data={"username": "cadre", "password": PASSWORD})
    assert r.status_code == 302
    cookies = r.headers.getlist("Set-Cookie")
    assert {c.split("=", 1)[0] for c in cookies} >= {"session", "lang"}
    assert all(("; Secure" in c) == secure for c in cookies), cookies
    assert ("Strict-Transport-Security" in r.headers) == secure
    assert ("Strict-Transport-Security" in client.get("/login").headers) == secure
