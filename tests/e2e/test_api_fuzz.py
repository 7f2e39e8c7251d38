"""Property-based fuzzing from the OpenAPI document (schemathesis): no 5xx, nothing the document does not say.

Generated path parameters are often swapped for ids and codes of the test world, so requests reach the
services and not only the 404 of an unknown id. Bounded: a few examples per operation and generation mode.
"""
from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (content_type_conformance, negative_data_rejection,
                                               response_headers_conformance, response_schema_conformance,
                                               status_code_conformance, unsupported_method)

from tests.e2e.api_support import Api, api  # noqa: F401
from workflow.auth import SYSTEM
from workflow.facts import FACTS
from workflow.services.complaints import file_complaint

pytestmark = pytest.mark.slow  # Schemathesis over every operation: a minute or two

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance, negative_data_rejection, unsupported_method]
EXAMPLES = int(os.environ.get("HUANJIE_FUZZ_EXAMPLES", "12"))
COVERAGE = os.environ.get("HUANJIE_FUZZ_COVERAGE", "") == "1"  # the boundary-value phase: slower


def real_values(api: Api) -> dict[str, list[Any]]:
    """Ids and codes of the test world per path parameter name (the admin is left alone)."""
    api.advance("a_party", "voting")
    with api.db.uow() as w:
        complaint = file_complaint(w, SYSTEM, api.election("a_party"), "procedure", None, "2014-12-01", "名单").id
    regions = ["210000", "210100", "210102", "210102001", "210103001"]
    communities = ["210102001001", "210102001002", "210103001001"]
    return {"election_id": sorted(api.world.elections.values()), "candidate_id": api.candidates("a_party"),
            "complaint_id": [complaint], "community": communities, "city": ["210100"],
            "username": ["cadre", "street", "observer"], "key": sorted(FACTS), "/campaigns/": ["LN2014"],
            "/regions/": regions, "/communities/": communities, "/responsibilities/": regions + communities}


def pick(values: dict[str, list[Any]], path: str, name: str) -> list[Any]:
    """Return the real values for a path parameter ("code" depends on the path it is in)."""
    if name == "code":
        return next((v for prefix, v in values.items() if prefix.startswith("/") and prefix in path), [])
    return values.get(name, [])


@pytest.fixture
def api_schema(api: Api) -> Any:
    """The API's own OpenAPI document, loaded from the app, with world-aware path parameters."""
    token = api.tokens["admin"] = api.token_for("admin")
    config = SchemathesisConfig.from_dict({
        "phases": {"coverage": {"enabled": COVERAGE}, "stateful": {"enabled": False}}, "seed": 2014,
        "auth": {"openapi": {"BearerAuth": {"bearer": token}}}})
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api.app, config=config)
    values = real_values(api)

    @schema.hook
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
        if not path_parameters:
            return st.just(path_parameters)
        picks = {}
        for name, value in path_parameters.items():
            real = pick(values, context.operation.path, name)
            # mostly real ids and codes (so that requests reach the services), sometimes the generated value
            picks[name] = st.sampled_from([*real, *real, *real, value]) if real else st.just(value)
        return st.fixed_dictionaries(picks)

    schema.huanjie_api = api
    return schema


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """schemathesis 4.32 renames subtests through ``node._nodeid``, which pytest 9 no longer has."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_the_api_conforms_to_its_openapi_document_and_never_fails_with_5xx(case: Any, api_schema: Any) -> None:
    api = api_schema.huanjie_api
    if case.method.upper() == "DELETE" and case.path == "/api/v1/auth/token":
        # signing out would revoke the token every other request uses: sign out a fresh one instead
        case.call_and_validate(checks=CHECKS, headers={"Authorization": f"Bearer {api.token_for('admin')}"})
    else:
        case.call_and_validate(checks=CHECKS)
