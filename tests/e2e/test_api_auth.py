"""Contract tests: tokens (hashed, expiring, dying with the password or an admin's revocation), me, ping."""
from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select, update

from tests.e2e.api_support import Api, api, assert_error  # noqa: F401
from tests.support import PASSWORD
from workflow.models import ApiToken, LoginThrottle, User
from workflow.services.structure import change_password


def login(api: Api, username: str = "cadre", password: str = PASSWORD) -> object:
    return api.post("/auth/token", {"username": username, "password": password}, who=None)


def test_a_token_is_issued_for_the_right_password_and_stored_only_as_a_hash(api: Api) -> None:
    r = login(api)
    assert r.status_code == 200
    token, expires = r.get_json()["token"], dt.datetime.fromisoformat(r.get_json()["expires_at"])
    assert len(token) >= 40 and expires.tzinfo is not None
    hours = (expires - dt.datetime.now(dt.timezone.utc)).total_seconds() / 3600
    assert 11.9 < hours <= 12
    with api.db.uow(write=False) as w:
        stored = w.session.scalars(select(ApiToken.token_hash)).all()
    assert hashlib.sha256(token.encode()).hexdigest() in stored and token not in stored
    me = api.get("/me", token=token).get_json()
    assert me == {"username": "cadre", "role": "cadre", "scope": "210102001", "scope_level": "street",
                  "language": "zh"}


def test_wrong_credentials_are_refused_alike_and_bodies_are_checked(api: Api) -> None:
    assert_error(login(api, password="wrong password"), 401, "invalid_credentials")
    assert_error(login(api, username="nobody"), 401, "invalid_credentials")
    fields = assert_error(api.post("/auth/token", {"username": 5, "pass": "x"}, who=None), 400,
                          "invalid_request")["fields"]
    assert set(fields) == {"username", "password", "pass"}
    assert_error(api.call("POST", "/auth/token", who=None, data="not json"), 400, "invalid_request")


def test_an_address_waits_a_while_after_five_wrong_passwords_for_an_account(api: Api) -> None:
    for _ in range(5):
        assert_error(login(api, "observer", "wrong password"), 401, "invalid_credentials")
    assert_error(login(api, "observer"), 401, "invalid_credentials")
    with api.db.uow() as w:  # the wait is over
        w.session.execute(update(LoginThrottle).values(blocked_until=None))
    assert login(api, "observer").status_code == 200


def test_no_token_or_a_bad_one_is_unauthenticated_with_a_bearer_challenge(api: Api) -> None:
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Basic YWRtaW46eA=="},
                    {"Authorization": "Bearer made-up"}):
        r = api.get("/me", who=None, headers=headers)
        assert_error(r, 401, "unauthenticated")
        assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_dead(api: Api) -> None:
    token = login(api).get_json()["token"]
    with api.db.uow() as w:
        w.session.execute(update(ApiToken).values(expires_at=dt.datetime.now(dt.timezone.utc)
                                                  - dt.timedelta(seconds=1)))
    assert_error(api.get("/me", token=token), 401, "unauthenticated")


def test_a_token_dies_when_the_password_changes(api: Api) -> None:
    token = login(api).get_json()["token"]
    assert api.get("/me", token=token).status_code == 200
    with api.db.uow() as w:
        uid = w.session.scalars(select(User.id).where(User.username == "cadre")).one()
        change_password(w, uid, "a brand new secret")
    assert_error(api.get("/me", token=token), 401, "unauthenticated")
    assert_error(login(api), 401, "invalid_credentials")
    assert api.get("/me", token=login(api, password="a brand new secret").get_json()["token"]).status_code == 200


def test_a_token_created_before_the_password_changed_is_dead_even_unrevoked(api: Api) -> None:
    token = login(api).get_json()["token"]
    with api.db.uow() as w:
        w.session.execute(update(User).where(User.username == "cadre").values(
            password_changed_at=dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1)))
    assert_error(api.get("/me", token=token), 401, "unauthenticated")


def test_an_admin_or_a_supervisor_in_scope_revokes_a_users_tokens(api: Api) -> None:
    token = login(api).get_json()["token"]
    assert_error(api.delete("/users/cadre/tokens", who="inspector"), 403, "forbidden")
    assert_error(api.delete("/users/cadre/tokens", who="othercadre"), 404, "not_found")
    assert_error(api.delete("/users/city/tokens", who="county"), 404, "not_found")
    assert_error(api.delete("/users/ghost/tokens"), 404, "not_found")
    r = api.delete("/users/cadre/tokens", who="street")
    assert r.status_code == 200 and r.get_json()["revoked"] >= 1
    assert_error(api.get("/me", token=token), 401, "unauthenticated")
    assert api.delete("/users/cadre/tokens").get_json() == {"revoked": 0}


def test_signing_out_revokes_only_the_token_used(api: Api) -> None:
    first, second = login(api).get_json()["token"], login(api).get_json()["token"]
    assert api.delete("/auth/token", token=first).get_json() == {"revoked": 1}
    assert_error(api.get("/me", token=first), 401, "unauthenticated")
    assert api.get("/me", token=second).status_code == 200


def test_the_database_health_check_is_public(api: Api) -> None:
    r = api.get("/ping-db", who=None)
    assert r.status_code == 200 and r.get_json()["ok"] is True
    assert r.get_json()["database"] == api.db.engine.dialect.name


def test_the_token_lifetime_comes_from_the_app_config(api: Api) -> None:
    api.app.config["TOKEN_HOURS"] = 1
    expires = dt.datetime.fromisoformat(login(api).get_json()["expires_at"])
    assert 0.9 < (expires - dt.datetime.now(dt.timezone.utc)).total_seconds() / 3600 <= 1
