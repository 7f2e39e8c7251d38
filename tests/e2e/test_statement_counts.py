"""No page issues more SQL statements when the data grow: count them with N and with 3N, they must be equal.

Through the Flask test client, on SQLite and PostgreSQL: the cadre's worklist, the election page, the
supervision dashboard at province, city, county and street level, and the main API lists. Between the two
measurements every list a page shows triples (communities in the street, streets in the county, counties in
the city, cities in the province, campaigns, candidates, complaints and history of the election shown), so a query per
row (N+1) shows up as a difference.
"""
from __future__ import annotations

import contextlib
import random
from typing import Any, Iterator

import pytest
from sqlalchemy import event, select

from tests.support import DUE, PASSWORD, World, build_world
from workflow import clock
from workflow.db import Database
from workflow.models import Campaign, Community, Election, Region, User
from workflow.services.campaigns import create_campaign, launch_campaign
from workflow.services.complaints import file_complaint
from workflow.services.election_data import add_candidate, record_fact
from workflow.services.structure import create_community, create_region, set_responsibility
from workflow.services.tokens import create_token
from workflow.walk import Walker

pytestmark = pytest.mark.slow  # every page with N and 3N rows of every list

STATES = ("nomination", "candidate_meeting", "voting", "certification", "handover")


@contextlib.contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    """Collect every statement sent to the database while the block runs."""
    statements: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)
    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _region(uow: Any, code: str, name: str, level: str, parent: str) -> None:
    if uow.session.scalar(select(Region.id).where(Region.code == code)) is None:
        create_region(uow, uow_actor(), code, name, level, parent)


def uow_actor() -> Any:
    from workflow.auth import SYSTEM
    return SYSTEM


def _community(uow: Any, code: str, street: str) -> None:
    if uow.session.scalar(select(Community.id).where(Community.code == code)) is None:
        create_community(uow, uow_actor(), {"code": code, "name": f"社区{code[-3:]}", "street": street,
                                            "households": 1000, "voters": 2000, "party_org_type": "branch",
                                            "party_members": 40, "migrant_dense": code.endswith("3")})
        set_responsibility(uow, uow_actor(), code, "cadre" if street == "210102001" else "othercadre")


def grow(world: World, n: int) -> None:
    """Make every list n entries longer than the test world's: cities, counties, streets, communities, records."""
    db, a = world.db, world.actors
    with db.uow() as uow:
        for i in range(2, n + 2):  # more cities in the province, each with a county, street and community
            _region(uow, f"21{i:02d}00", f"市{i}", "city", "210000")
            _region(uow, f"21{i:02d}01", f"区{i}", "county", f"21{i:02d}00")
            _region(uow, f"21{i:02d}01001", f"街道{i}", "street", f"21{i:02d}01")
            _community(uow, f"21{i:02d}01001001", f"21{i:02d}01001")
        for k in range(4, n + 4):  # more counties in the city
            _region(uow, f"2101{k:02d}", f"县{k}", "county", "210100")
            _region(uow, f"2101{k:02d}001", f"街道{k}", "street", f"2101{k:02d}")
            _community(uow, f"2101{k:02d}001001", f"2101{k:02d}001")
        for k in range(2, n + 2):  # more streets in the county
            _region(uow, f"210102{k:03d}", f"街道{k}", "street", "210102")
            _community(uow, f"210102{k:03d}001", f"210102{k:03d}")
        for k in range(3, n + 3):  # more communities in the cadre's street
            _community(uow, f"210102001{k:03d}", "210102001")
        launch_campaign(uow, uow_actor(), "LN2014")
        for i in range(2, n + 2):  # more campaigns: each new city runs one of its own
            if uow.session.scalar(select(Campaign.id).where(Campaign.code == f"C21{i:02d}")) is None:
                create_campaign(uow, uow_actor(), f"C21{i:02d}", f"市{i}换届", "liaoning-2014", f"21{i:02d}00",
                                "party_first", DUE)
                launch_campaign(uow, uow_actor(), f"C21{i:02d}")
    rng = random.Random(n)
    with db.uow() as uow:  # the new communities of the street advance to different states
        ids = uow.session.scalars(select(Election).join(Community).where(
            Community.street_id == uow.session.scalar(select(Region.id).where(Region.code == "210102001")),
            Election.body == "party", Election.state == "preparation", Community.code > "210102001002"))
        walker = Walker(uow, a["cadre"], a["street"], a["city"], rng)
        for i, e in enumerate(list(ids)):
            walker.advance_to(e, STATES[i % len(STATES)])
    with db.uow() as uow:  # the election shown gets n more candidates, complaints and history rows
        eid = world.elections["a_residents"]
        e = uow.session.get(Election, eid)
        if e.state == "preparation":
            Walker(uow, a["cadre"], a["street"], a["city"], rng).advance_to(e, "nomination")
        for k in range(n):
            cand = add_candidate(uow, a["cadre"], eid, {"name": f"候选人{n}{k}", "post": "member"})
            file_complaint(uow, a["cadre"], eid, "procedure", cand.id, "2014-12-05", "选民名单公布时间有异议")
            record_fact(uow, a["cadre"], eid, "voter_objections_resolved", k % 2 == 0)


def sweep(db: Database) -> None:
    """Raise escalations as of a later day, when the sweep service exists, so their lists are not empty."""
    try:
        from workflow.services.sweep import sweep_overdue
    except ImportError:
        return
    with db.uow() as uow:
        sweep_overdue(uow, at="2015-02-20T10:00:00+08:00")


class Pages:
    """Signed-in clients of the test app and the pages to count."""

    def __init__(self, db: Database, world: World) -> None:
        from web import create_app
        self.db, self.world = db, world
        self.app = create_app({"DATABASE": db, "TESTING": True, "WTF_CSRF_ENABLED": False})
        self.ui: dict[str, Any] = {}
        self.tokens: dict[str, str] = {}

    def signed_in(self, username: str) -> Any:
        if username not in self.ui:
            client = self.app.test_client()
            r = client.post("/login", data={"username": username, "password": PASSWORD})
            assert r.status_code in (302, 303), r.status_code
            self.ui[username] = client
        return self.ui[username]

    def token(self, username: str) -> str:
        if username not in self.tokens:
            with self.db.uow() as w:
                user = w.session.scalars(select(User).where(User.username == username)).one()
                self.tokens[username] = create_token(w, user)[0]
        return self.tokens[username]

    def get(self, kind: str, who: str, path: str) -> Any:
        if kind == "ui":
            return self.signed_in(who).get(path)
        return self.app.test_client().get(path, headers={"Authorization": f"Bearer {self.token(who)}"})

    def routes(self) -> list[tuple[str, str, str, str]]:
        """(name, ui|api, user, path) of every page counted."""
        eid = self.world.elections["a_residents"]
        pages = [
            ("worklist of the street cadre", "ui", "cadre", "/"),
            ("election page", "ui", "cadre", f"/elections/{eid}"),
            ("dashboard, province", "ui", "province", "/supervise?campaign=LN2014&region=210000"),
            ("dashboard, city", "ui", "province", "/supervise?campaign=LN2014&region=210100"),
            ("dashboard, county", "ui", "province", "/supervise?campaign=LN2014&region=210102"),
            ("dashboard, street", "ui", "province", "/supervise?campaign=LN2014&region=210102001"),
            ("dashboard, county supervisor's home", "ui", "county", "/supervise"),
            ("GET /api/v1/communities (county supervisor)", "api", "county", "/api/v1/communities"),
            ("GET /api/v1/communities?region=street (cadre)", "api", "cadre", "/api/v1/communities?region=210102001"),
            ("GET /api/v1/communities?overdue=true (province)", "api", "province", "/api/v1/communities?overdue=true"),
            ("GET /api/v1/elections/<id>", "api", "cadre", f"/api/v1/elections/{eid}"),
            ("GET /api/v1/elections/<id>/history", "api", "cadre", f"/api/v1/elections/{eid}/history"),
            ("GET /api/v1/campaigns/LN2014/progress", "api", "province", "/api/v1/campaigns/LN2014/progress"),
            ("GET /api/v1/campaigns (province)", "api", "province", "/api/v1/campaigns"),
        ]
        optional = [  # lists of other areas, counted once they exist
            ("GET /api/v1/escalations?open=true (county)", "api", "county", "/api/v1/escalations", "?open=true"),
            ("GET /api/v1/dossiers?open=true (province)", "api", "province", "/api/v1/dossiers", "?open=true"),
            ("GET /api/v1/incidents?open=true (province)", "api", "province", "/api/v1/incidents", "?open=true"),
            ("open escalations page (county)", "ui", "county", "/notices/escalations", ""),
            ("notifications page (cadre)", "ui", "cadre", "/notices/", ""),
        ]
        rules = {r.rule for r in self.app.url_map.iter_rules()}
        pages += [(name, kind, who, path + args) for name, kind, who, path, args in optional if path in rules]
        return pages

    def count(self) -> dict[str, int]:
        """Return the statements each page sends (after one warm-up request, which fills caches)."""
        out = {}
        for name, kind, who, path in self.routes():
            assert self.get(kind, who, path).status_code == 200, (name, self.get(kind, who, path).status_code)
            with counting(self.db) as statements:
                response = self.get(kind, who, path)
            assert response.status_code == 200, name
            out[name] = len(statements)
        return out


def test_no_page_sends_more_statements_when_every_list_triples(db: Database) -> None:
    world = build_world(db)
    grow(world, 2)
    sweep(db)
    clock.freeze(clock.now())
    pages = Pages(db, world)
    small = pages.count()
    grow(world, 6)
    sweep(db)
    large = pages.count()
    assert all(n > 0 for n in small.values()), small
    grew = {name: (small[name], large[name]) for name in small if large[name] != small[name]}
    assert not grew, "statements per page grew with the data (N → 3N): " + "; ".join(
        f"{name}: {a} → {b}" for name, (a, b) in grew.items())


def test_the_counter_sees_a_query_per_row(db: Database) -> None:
    world = build_world(db)
    with db.uow(write=False) as uow, counting(db) as statements:
        for code in ("210102001001", "210102001002", "210103001001"):
            uow.session.scalars(select(Community).where(Community.code == code)).one()
    assert len(statements) >= 3
    assert world.elections
