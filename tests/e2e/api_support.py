"""Test helpers for the JSON API: an app over the test world, a token per user, a small client."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

import pytest
from sqlalchemy import select

from tests.support import World, build_world
from workflow.db import Database
from workflow.models import Candidate, Election, User
from workflow.services.tokens import create_token
from workflow.walk import Walker

ROLES = ("admin", "province", "city", "county", "street", "cadre", "inspector", "observer", "othercadre")


@dataclass
class Api:
    """A Flask test client speaking JSON with a bearer token per test-world user."""

    app: Any
    world: World
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def db(self) -> Database:
        return self.world.db

    def token_for(self, username: str) -> str:
        """Return a fresh token of a user (without the password: argon2 is slow)."""
        with self.db.uow() as w:
            user = w.session.scalars(select(User).where(User.username == username)).one()
            token, _ = create_token(w, user)
        return token

    def call(self, method: str, path: str, who: Optional[str] = "admin", json: Any = None, data: Any = None,
             lang: Optional[str] = None, headers: Optional[dict[str, str]] = None, token: Optional[str] = None,
             form: Any = None) -> Any:
        """Send a request as a user (who=None: no token) and return the response (form: a multipart body)."""
        hdrs = dict(headers or {})
        if token is None and who is not None:
            if who not in self.tokens:
                self.tokens[who] = self.token_for(who)
            token = self.tokens[who]
        if token is not None:
            hdrs["Authorization"] = f"Bearer {token}"
        if lang:
            hdrs["Accept-Language"] = lang
        url = path if path.startswith("/api/") else f"/api/v1{path}"
        client = self.app.test_client()
        if form is not None:
            return client.open(url, method=method, data=form, headers=hdrs, content_type="multipart/form-data")
        if data is not None:
            return client.open(url, method=method, data=data, headers=hdrs, content_type="application/json")
        return client.open(url, method=method, json=json, headers=hdrs)

    def get(self, path: str, who: Optional[str] = "admin", **kw: Any) -> Any:
        return self.call("GET", path, who, **kw)

    def post(self, path: str, json: Any = None, who: Optional[str] = "admin", **kw: Any) -> Any:
        return self.call("POST", path, who, json=json, **kw)

    def put(self, path: str, json: Any = None, who: Optional[str] = "admin", **kw: Any) -> Any:
        return self.call("PUT", path, who, json=json, **kw)

    def patch(self, path: str, json: Any = None, who: Optional[str] = "admin", **kw: Any) -> Any:
        return self.call("PATCH", path, who, json=json, **kw)

    def delete(self, path: str, who: Optional[str] = "admin", **kw: Any) -> Any:
        return self.call("DELETE", path, who, **kw)

    def election(self, key: str) -> int:
        return self.world.elections[key]

    def version(self, key: str) -> int:
        with self.db.uow(write=False) as w:
            return w.session.get(Election, self.election(key)).version

    def advance(self, key: str, state: str) -> None:
        """Walk an election along the main path through the services (cadre, street and city supervisors)."""
        a = self.world.actors
        with self.db.uow() as w:
            walker = Walker(w, a["cadre"] if key[0] != "b" else a["othercadre"], a["street"] if key[0] != "b"
                            else a["city"], a["city"], random.Random(7))
            walker.advance_to(self.world.election(w, key), state)

    def candidates(self, key: str) -> list[int]:
        with self.db.uow(write=False) as w:
            return list(w.session.scalars(select(Candidate.id).where(
                Candidate.election_id == self.election(key)).order_by(Candidate.id)))


def make_api(db: Database) -> Api:
    """Build the test world and an app over it."""
    from web import create_app
    world = build_world(db)
    app = create_app({"DATABASE": db, "TESTING": True})
    return Api(app, world)


@pytest.fixture
def api(db: Database) -> Iterator[Api]:
    """The JSON API over the test world (clock frozen at 2014-12-10), on SQLite then PostgreSQL."""
    yield make_api(db)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """Check a contract error response and return its body."""
    body = response.get_json()
    assert response.status_code == status, (response.status_code, body)
    assert body["error"] == code, body
    assert isinstance(body["message"], str) and body["message"], body
    if code == "invalid_request":
        assert isinstance(body.get("fields"), dict), body
    return body
