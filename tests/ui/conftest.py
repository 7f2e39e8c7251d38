"""Fixtures of the web UI tests: the app over the `db` fixture (CSRF on), a small world, signed-in clients."""
from __future__ import annotations

import re
from typing import Any, Iterator, Optional

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import PASSWORD, World, build_world
from workflow.db import Database

TOKEN = re.compile(r'name="(?:[\w-]*-)?csrf_token"(?: type="hidden")? value="([^"]+)"')


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues() -> None:
    """The .mo files are not committed: compile them once (what `pybabel compile -f -d web/translations` does)."""
    from web.ui.i18n import compile_catalogues
    compile_catalogues()


@pytest.fixture
def world(db: Database) -> World:
    """The small world of tests.support (clock frozen at 2014-12-10)."""
    return build_world(db)


@pytest.fixture
def app(db: Database, world: World) -> Iterator[Flask]:
    """The web app over the test database, CSRF protection on."""
    from web import create_app
    application = create_app({"DATABASE": db, "TESTING": True, "SECRET_KEY": "test-secret",
                              "WTF_CSRF_ENABLED": True, "UI_PER_PAGE": 25})
    yield application


class UI:
    """A test client that signs in and adds the CSRF token to its forms (unless told not to)."""

    def __init__(self, app: Flask) -> None:
        self.client: FlaskClient = app.test_client()
        self.token: Optional[str] = None

    def get(self, url: str, **kw: Any) -> Any:
        response = self.client.get(url, **kw)
        match = TOKEN.search(response.get_data(as_text=True)) if response.mimetype == "text/html" else None
        if match:
            self.token = match.group(1)
        return response

    def csrf(self) -> str:
        if not self.token:
            self.get("/login")
        if not self.token:  # signed in: the login page redirects, any page has the token
            self.get("/machines")
        assert self.token
        return self.token

    def post(self, url: str, data: Optional[dict[str, Any]] = None, csrf: bool = True, **kw: Any) -> Any:
        form = dict(data or {})
        if csrf:
            token = self.csrf()
            form.setdefault("csrf_token", token)
            for key in list(form):
                if "-" in key and not key.endswith("csrf_token"):
                    form.setdefault(key.split("-", 1)[0] + "-csrf_token", token)
        response = self.client.post(url, data=form, **kw)
        return response

    def login(self, username: str, password: str = PASSWORD) -> Any:
        response = self.post("/login", {"username": username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response


@pytest.fixture
def ui(app: Flask) -> Any:
    """Make a signed-in client: ui('cadre')."""
    def make(username: Optional[str] = None) -> UI:
        client = UI(app)
        if username:
            client.login(username)
        return client
    return make


def text(response: Any) -> str:
    """The response body as text."""
    return str(response.get_data(as_text=True))


def advance(world: World, key: str, state: str) -> None:
    """Walk one election of the world along the main path to a state, through the services."""
    from workflow.models import Election
    from workflow.walk import Walker
    with world.db.uow() as uow:
        election = uow.session.get(Election, world.elections[key])
        walker = Walker(uow, world.actors["cadre"], world.actors["county"], world.actors["city"])
        if election.body == "residents" and state not in ("preparation", "nomination", "candidate_meeting"):
            other = uow.session.get(Election, world.elections[key.replace("residents", "party")])
            walker.advance_to(other, "certification")
        walker.advance_to(election, state)


def election_state(world: World, key: str) -> str:
    """The current state of one election of the world."""
    from workflow.models import Election
    with world.db.uow(write=False) as uow:
        return str(uow.session.get(Election, world.elections[key]).state)


def version(world: World, key: str) -> int:
    """The optimistic version of one election of the world."""
    from workflow.models import Election
    with world.db.uow(write=False) as uow:
        return int(uow.session.get(Election, world.elections[key]).version)


def candidates(world: World, key: str) -> list[Any]:
    """The candidates of one election of the world (detached rows)."""
    from sqlalchemy import select

    from workflow.models import Candidate
    with world.db.uow(write=False) as uow:
        return list(uow.session.scalars(select(Candidate).where(
            Candidate.election_id == world.elections[key]).order_by(Candidate.id)))
