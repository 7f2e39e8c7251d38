"""Contract tests: JSON errors everywhere under /api/, hostile input never a 500, the OpenAPI document."""
from __future__ import annotations

import json

from tests.e2e.api_support import Api, api, assert_error  # noqa: F401


def test_unknown_paths_and_methods_under_api_answer_in_json(api: Api) -> None:
    assert_error(api.get("/no/such/thing"), 404, "not_found")
    assert_error(api.get("/api/v2/elections/1"), 404, "not_found")
    assert_error(api.get("/no/such/thing", who=None), 404, "not_found")
    r = api.delete("/campaigns")
    assert_error(r, 405, "method_not_allowed")
    assert "GET" in r.headers["Allow"] and "POST" in r.headers["Allow"]
    ui = api.app.test_client().get("/definitely-not-a-page")
    assert ui.status_code == 404 and not ui.is_json


def test_the_api_needs_no_csrf_token_for_bearer_requests(api: Api) -> None:
    assert api.app.config.get("WTF_CSRF_ENABLED", True) is True
    assert api.post("/campaigns/LN2014/launch").status_code == 200


HOSTILE_BODIES = ['{"trigger": "open_nomination", "version": 1', "[", "nul\x00l", '"just a string"', "123", "null",
                  "[" * 100000 + "]" * 100000, '{"trigger": "\\ud800", "version": 1}',
                  '{"trigger": "open_nomination", "version": 1e999}', '{"trigger": "open_nomination", "version": NaN}',
                  '{"trigger": "open_nomination", "version": 99999999999999999999999999999}',
                  '{"trigger": "open\\u0000nomination", "version": 1}', '{"note": "' + "长" * 5000 + '"}']


def test_hostile_bodies_get_a_400_and_never_a_500(api: Api) -> None:
    e = api.election("a_party")
    for raw in HOSTILE_BODIES:
        for path in (f"/elections/{e}/transitions", f"/elections/{e}/rounds", "/communities", "/auth/token",
                     f"/elections/{e}/candidates"):
            r = api.call("POST", path, data=raw.encode("utf-8", "surrogatepass"))
            assert r.status_code in (400, 409), (raw[:40], path, r.status_code, r.get_json())
            assert r.get_json()["error"] in ("invalid_request", "version_conflict"), r.get_json()


def test_nul_characters_and_bad_unicode_in_paths_and_queries_are_refused_cleanly(api: Api) -> None:
    assert_error(api.get("/communities/2101%00"), 404, "not_found")
    assert_error(api.get("/campaigns/LN%002014/progress"), 404, "not_found")
    assert_error(api.get("/communities?q=%00"), 400, "invalid_request")
    assert_error(api.get("/communities?region=%ff%fe"), 404, "not_found")
    assert_error(api.put("/elections/1/facts/staff%00trained", {"value": True}), 404, "not_found")
    assert_error(api.post("/communities", {"code": "c\x00", "name": "x", "street": "210102001"}), 400,
                 "invalid_request")
    r = api.post("/auth/token", {"username": "ad\x00min", "password": "x"}, who=None)
    assert_error(r, 400, "invalid_request")


def test_big_numbers_are_refused_or_not_found_never_a_500(api: Api) -> None:
    e = api.election("a_party")
    assert_error(api.get("/elections/2147483648"), 404, "not_found")
    assert_error(api.patch("/candidates/9223372036854775808", {}), 404, "not_found")
    assert_error(api.post(f"/elections/{e}/complaints", {"category": "other", "candidate": 2**63,
                                                          "received_on": "2014-12-01", "summary": "x"}),
                 400, "invalid_request")
    assert_error(api.get("/communities?page=99999999999999999999"), 400, "invalid_request")
    assert_error(api.post("/communities", {"code": "c1", "name": "x", "street": "210102001", "voters": 10**30}),
                 400, "invalid_request")


def test_a_lost_race_on_a_unique_code_is_a_duplicate_and_a_dead_database_is_unavailable(api: Api) -> None:
    from sqlalchemy.exc import IntegrityError, OperationalError

    from web.api.errors import api_error_response
    with api.app.test_request_context("/api/v1/regions", headers={"Accept-Language": "en"}):
        race = api_error_response(IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed: regions.code")))
        assert race is not None and race.status_code == 409 and race.get_json()["error"] == "duplicate"
        assert api_error_response(IntegrityError("INSERT", {}, Exception("NOT NULL constraint failed"))) is None
        down = api_error_response(OperationalError("SELECT 1", {}, Exception("connection refused")))
        assert down is not None and down.status_code == 503 and down.get_json()["error"] == "unavailable"


def test_dates_far_in_the_past_or_future_are_refused_before_any_date_arithmetic(api: Api) -> None:
    e = api.election("a_party")
    for day in ("9999-12-31", "0001-01-01"):
        fields = assert_error(api.post(f"/elections/{e}/complaints", {"category": "other", "received_on": day,
                                                                      "summary": "x"}), 400, "invalid_request")["fields"]
        assert fields == {"received_on": "日期必须在1900-01-01到2999-12-31之间"}
    assert_error(api.post(f"/elections/{e}/transitions", {"trigger": "suspend", "version": 1, "note": "x",
                                                          "review_on": "9999-12-31"}, who="street"), 400,
                 "invalid_request")


def test_the_openapi_document_comes_from_the_schemas_and_lists_every_api_route(api: Api) -> None:
    r = api.app.test_client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    doc = r.get_json()
    assert doc["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    for rule in api.app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("openapi."):
            continue
        path = rule.rule
        for arg in rule.arguments:
            path = path.replace(f"<int:{arg}>", f"{{{arg}}}").replace(f"<{arg}>", f"{{{arg}}}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, (path, method)
    transition = doc["paths"]["/api/v1/elections/{election_id}/transitions"]["post"]
    schema = doc["components"]["schemas"]["TransitionIn"]
    assert schema["additionalProperties"] is False and set(schema["required"]) == {"trigger", "version"}
    assert {"200", "400", "401", "403", "404", "409"} <= set(transition["responses"])
    assert transition["security"] == [{"BearerAuth": []}]
    token = doc["paths"]["/api/v1/auth/token"]["post"]
    assert "security" not in token or token["security"] == []
    assert json.dumps(doc)  # serializable as is
