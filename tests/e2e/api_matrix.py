"""The role × route × scope matrix of the JSON API, as data (api.md "Who may do what", domain.md §3).

Each :class:`Case` is one request against a route, sent by every test user (and without a token) at a
target inside and a target outside the caller's scope. The expected status follows from three sets:

* ``sees[side]``: who can see the target (others get 404: outside the scope is never a 403);
* ``allowed``: whose role may do this (others get 403);
* ``passes``: what a caller who passed both checks gets (a 409 proves the checks passed without changing
  anything, e.g. a stale ``version``).

``role_first=True`` for creations whose scope is named in the body (the 403 comes before the 404 then).

Other areas extend the matrix without touching this file: add ``tests/e2e/api_matrix_<area>.py`` defining
``CASES: list[Case]`` (and, if needed, ``PREPARE: dict[str, Callable[[Ctx], None]]`` for their ``needs``).
A test fails when a route of the API is in no case.
"""
from __future__ import annotations

import importlib
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from tests.e2e.api_support import ROLES, Api
from tests.support import PASSWORD

ALL = frozenset(ROLES)
#: who sees community A (210102001001), its street 210102001, elections, candidates, complaints
A = frozenset({"admin", "province", "city", "county", "street", "cadre", "inspector", "observer"})
#: who sees community B (210103001001) and its street 210103001
B = frozenset({"admin", "province", "city", "othercadre"})
#: who sees county 210102 / county 210103
COUNTY_A = frozenset({"admin", "province", "city", "county", "inspector", "observer"})
COUNTY_B = frozenset({"admin", "province", "city"})

SUPERVISORS = frozenset({"admin", "province", "city", "county", "street"})
EDITORS = SUPERVISORS | {"cadre", "othercadre"}
CITY_UP = frozenset({"admin", "province", "city"})
COMPLAINANTS = EDITORS | {"inspector"}
RESOLVERS = SUPERVISORS | {"inspector"}

Body = Optional[Callable[["Ctx", str], Any]]


@dataclass
class Ctx:
    """The test world of one case: ids of the targets inside (in) and outside (out) of most scopes."""

    api: Api
    ids: dict[str, dict[str, Any]] = field(default_factory=dict)
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def n(self) -> int:
        """Return a number not used before in this case (for unique codes)."""
        return next(self.counter)


@dataclass(frozen=True)
class Case:
    """One request shape against one route."""

    method: str
    rule: str
    path: str
    allowed: frozenset[str] = ALL
    sees: tuple[frozenset[str], frozenset[str]] = (A, B)
    passes: tuple[int, ...] = (200,)
    body: Body = None
    needs: tuple[str, ...] = ()
    role_first: bool = False
    public: bool = False
    fresh_token: bool = False
    name: str = ""
    #: the body is a multipart form (file uploads), not JSON
    multipart: bool = False

    @property
    def id(self) -> str:
        return f"{self.method} {self.rule}{' ' + self.name if self.name else ''}"

    def expect(self, who: Optional[str], side: str) -> tuple[int, ...]:
        """Return the statuses the contract allows for this caller and target."""
        if self.public:
            return self.passes
        if who is None:
            return (401,)
        sees = self.sees[0 if side == "in" else 1]
        checks = [(self.allowed, 403), (sees, 404)] if self.role_first else [(sees, 404), (self.allowed, 403)]
        for group, status in checks:
            if who not in group:
                return (status,)
        return self.passes


def prepare_base(ctx: Ctx) -> None:
    """Fill the ids every case may use."""
    w = ctx.api.world
    ctx.ids["in"] = {"election": w.elections["a_party"], "community": "210102001001", "street": "210102001",
                     "county": "210102", "campaign": "LN2014", "username": "cadre", "victim": "victim_a"}
    ctx.ids["out"] = {"election": w.elections["b_party"], "community": "210103001001", "street": "210103001",
                      "county": "210103", "campaign": "SH2014", "username": "othercadre", "victim": "victim_b"}


def prepare_users(ctx: Ctx) -> None:
    """Two users whose tokens may be revoked, one per side, and one who signs in."""
    from workflow.auth import SYSTEM
    from workflow.services.structure import create_user
    with ctx.api.db.uow() as w:
        create_user(w, SYSTEM, "victim_a", PASSWORD, "cadre", "210102001")
        create_user(w, SYSTEM, "victim_b", PASSWORD, "cadre", "210103001")


def prepare_campaign(ctx: Ctx) -> None:
    """A campaign of county 210103 only, invisible from county 210102."""
    from tests.support import DUE
    from workflow.auth import SYSTEM
    from workflow.services.campaigns import create_campaign
    with ctx.api.db.uow() as w:
        create_campaign(w, SYSTEM, "SH2014", "沈河区换届", "liaoning-2014", "210103", "party_first", DUE)


def prepare_candidates(ctx: Ctx) -> None:
    """Both party elections in nomination with one candidate each."""
    from workflow.auth import SYSTEM
    from workflow.services.election_data import add_candidate
    for side, key in (("in", "a_party"), ("out", "b_party")):
        ctx.api.advance(key, "nomination")
        with ctx.api.db.uow() as w:
            ctx.ids[side]["candidate"] = add_candidate(w, SYSTEM, ctx.ids[side]["election"],
                                                       {"name": "张伟", "post": "member"}).id


def prepare_complaints(ctx: Ctx) -> None:
    """One open complaint on each side."""
    from workflow.auth import SYSTEM
    from workflow.services.complaints import file_complaint
    for side in ("in", "out"):
        with ctx.api.db.uow() as w:
            ctx.ids[side]["complaint"] = file_complaint(w, SYSTEM, ctx.ids[side]["election"], "procedure", None,
                                                        "2014-12-05", "名单未公示").id


PREPARE: dict[str, Callable[[Ctx], None]] = {"users": prepare_users, "campaign": prepare_campaign,
                                             "candidates": prepare_candidates, "complaints": prepare_complaints}

E = "/api/v1/elections/<int:election_id>"
COMMUNITY_BODY: Body = lambda ctx, side: {"code": f"M{ctx.n()}", "name": "矩阵社区", "street": ctx.ids[side]["street"]}
ROUND_BODY = {"kind": "first", "expected": 10, "present": 9, "ballots_issued": 9, "ballots_returned": 9,
              "ballots_invalid": 0, "votes": {}}

CASES: list[Case] = [
    Case("POST", "/api/v1/auth/token", "/auth/token", public=True, needs=("users",),
         body=lambda ctx, side: {"username": ctx.ids[side]["victim"], "password": PASSWORD}),
    Case("DELETE", "/api/v1/auth/token", "/auth/token", sees=(ALL, ALL), fresh_token=True),
    Case("GET", "/api/v1/me", "/me", sees=(ALL, ALL)),
    Case("GET", "/api/v1/ping-db", "/ping-db", public=True),
    Case("DELETE", "/api/v1/users/<username>/tokens", "/users/{victim}/tokens", allowed=SUPERVISORS,
         needs=("users",)),
    Case("POST", "/api/v1/regions", "/regions", allowed=SUPERVISORS, sees=(COUNTY_A, COUNTY_B), passes=(201,),
         role_first=True, body=lambda ctx, side: {"code": f"R{ctx.n()}", "name": "矩阵街道", "level": "street",
                                                  "parent": ctx.ids[side]["county"]}),
    Case("GET", "/api/v1/regions/<code>", "/regions/{street}"),
    Case("POST", "/api/v1/communities", "/communities", allowed=SUPERVISORS, passes=(201,), role_first=True,
         body=COMMUNITY_BODY),
    Case("GET", "/api/v1/communities", "/communities", sees=(ALL, ALL)),
    Case("GET", "/api/v1/communities/<code>", "/communities/{community}"),
    Case("POST", "/api/v1/users", "/users", allowed=SUPERVISORS, passes=(201,), role_first=True,
         body=lambda ctx, side: {"username": f"u{ctx.n()}", "password": PASSWORD, "role": "observer",
                                 "scope": ctx.ids[side]["street"]}),
    Case("PUT", "/api/v1/responsibilities/<code>", "/responsibilities/{community}", allowed=SUPERVISORS,
         body=lambda ctx, side: {"username": ctx.ids[side]["username"]}),
    Case("POST", "/api/v1/campaigns", "/campaigns", allowed=SUPERVISORS, sees=(COUNTY_A, COUNTY_B), passes=(201,),
         role_first=True, body=lambda ctx, side: {
             "code": f"C{ctx.n()}", "name": "矩阵换届", "rule_set": "liaoning-2014", "scope": ctx.ids[side]["county"],
             "due": {"preparation": "2014-12-31", "nomination": "2015-01-20", "candidate_meeting": "2015-02-10",
                     "voting": "2015-03-10", "certification": "2015-03-20", "handover": "2015-03-31",
                     "summary": "2015-04-05"}}),
    Case("GET", "/api/v1/campaigns", "/campaigns", sees=(ALL, ALL)),
    Case("GET", "/api/v1/campaigns/<code>", "/campaigns/{campaign}", sees=(ALL, B), needs=("campaign",)),
    Case("POST", "/api/v1/campaigns/<code>/launch", "/campaigns/{campaign}/launch", allowed=SUPERVISORS,
         sees=(ALL, B), needs=("campaign",)),
    Case("PUT", "/api/v1/campaigns/<code>/order/<community>", "/campaigns/LN2014/order/{community}",
         allowed=SUPERVISORS, body=lambda ctx, side: {"order": "concurrent"}),
    Case("POST", "/api/v1/campaigns/<code>/accept", "/campaigns/LN2014/accept", allowed=CITY_UP,
         body=lambda ctx, side: {"region": ctx.ids[side]["street"]}),
    Case("POST", "/api/v1/campaigns/<code>/facts", "/campaigns/LN2014/facts", allowed=EDITORS,
         body=lambda ctx, side: {"region": ctx.ids[side]["street"], "body": "both", "key": "staff_trained",
                                 "value": True, "preview": True}),
    Case("GET", "/api/v1/campaigns/<code>/progress", "/campaigns/LN2014/progress?region={street}"),
    Case("GET", E, "/elections/{election}"),
    Case("PUT", f"{E}/seats", "/elections/{election}/seats", allowed=EDITORS, body=lambda ctx, side: {"member": 5}),
    Case("PUT", f"{E}/facts/<key>", "/elections/{election}/facts/staff_trained", allowed=EDITORS,
         body=lambda ctx, side: {"value": True}),
    Case("PATCH", f"{E}/facts", "/elections/{election}/facts", allowed=EDITORS,
         body=lambda ctx, side: {"facts": {"publicity_done": True}}),
    Case("POST", f"{E}/transitions", "/elections/{election}/transitions", allowed=EDITORS, passes=(409,),
         body=lambda ctx, side: {"trigger": "open_nomination", "version": 999}, name="main path"),
    Case("POST", f"{E}/transitions", "/elections/{election}/transitions", allowed=SUPERVISORS, passes=(409,),
         body=lambda ctx, side: {"trigger": "suspend", "version": 999, "note": "矩阵"}, name="suspend"),
    Case("GET", f"{E}/history", "/elections/{election}/history"),
    Case("POST", f"{E}/candidates", "/elections/{election}/candidates", allowed=EDITORS, passes=(409,),
         body=lambda ctx, side: {"name": "王芳", "post": "member"}),
    Case("PATCH", "/api/v1/candidates/<int:candidate_id>", "/candidates/{candidate}", allowed=EDITORS,
         needs=("candidates",), body=lambda ctx, side: {"education": "本科"}),
    Case("POST", f"{E}/rounds", "/elections/{election}/rounds", allowed=EDITORS, passes=(409,),
         body=lambda ctx, side: ROUND_BODY),
    Case("POST", f"{E}/certificates", "/elections/{election}/certificates", allowed=EDITORS, passes=(409,),
         body=lambda ctx, side: {"candidate": 1, "serial": f"S{ctx.n()}"}),
    Case("POST", f"{E}/complaints", "/elections/{election}/complaints", allowed=COMPLAINANTS, passes=(201,),
         body=lambda ctx, side: {"category": "other", "received_on": "2014-12-09", "summary": "矩阵"}),
    Case("GET", "/api/v1/complaints/<int:complaint_id>", "/complaints/{complaint}", needs=("complaints",)),
    Case("POST", "/api/v1/complaints/<int:complaint_id>/resolve", "/complaints/{complaint}/resolve",
         allowed=RESOLVERS, passes=(200, 409), needs=("complaints",),
         body=lambda ctx, side: {"outcome": "unfounded"}),
]


def all_cases() -> list[Case]:
    """Return the cases of this file and of every tests/e2e/api_matrix_<area>.py."""
    cases = list(CASES)
    for path in sorted(Path(__file__).parent.glob("api_matrix_*.py")):
        module = importlib.import_module(f"tests.e2e.{path.stem}")
        cases.extend(getattr(module, "CASES", []))
        PREPARE.update(getattr(module, "PREPARE", {}))
    return cases
