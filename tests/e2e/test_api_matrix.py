"""Every role × every route × inside/outside its scope gets the status of the permission table."""
from __future__ import annotations

import pytest

from tests.e2e.api_matrix import PREPARE, Case, Ctx, all_cases, prepare_base
from tests.e2e.api_support import ROLES, make_api

CASES = all_cases()


def api_routes() -> set[tuple[str, str]]:
    """Return every (rule, method) of the API blueprint."""
    from web import create_app
    app = create_app({"DATABASE_URL": "sqlite:///:memory:"})
    return {(rule.rule, method) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_api_route_is_in_the_matrix_and_every_row_names_a_route() -> None:
    routes = api_routes()
    covered = {(case.rule, case.method) for case in CASES}
    missing, stale = sorted(routes - covered), sorted(covered - routes)
    assert not missing, f"routes missing from tests/e2e/api_matrix*.py: {missing}"
    assert not stale, f"matrix rows naming no route: {stale}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_each_role_gets_the_contract_status_inside_and_outside_its_scope(db, case: Case) -> None:
    api = make_api(db)
    ctx = Ctx(api)
    prepare_base(ctx)
    for need in case.needs:
        PREPARE[need](ctx)
    wrong = []
    for side in ("in", "out"):
        for who in (None,) + ROLES:
            path = case.path.format(**ctx.ids[side])
            body = case.body(ctx, side) if case.body else None
            token = api.token_for(who) if case.fresh_token and who else None
            r = (api.call(case.method, path, who=who, form=body, token=token) if case.multipart else
                 api.call(case.method, path, who=who, json=body, token=token))
            expected = case.expect(who, side)
            if r.status_code not in expected:
                wrong.append(f"{who or 'anonymous'} {side}: {r.status_code} not in {expected} "
                             f"{(r.get_json() or {}).get('error')}")
            elif r.status_code >= 400:
                assert r.get_json()["error"] in ("unauthenticated", "not_found", "forbidden", "version_conflict",
                                                 "invalid_state", "duplicate", "invalid_trigger"), r.get_json()
    assert not wrong, "\n".join(wrong)
