"""Matrix rows of the escalation area: escalations, sweep, dossiers, incidents, inbox, bulletins."""
from __future__ import annotations

from typing import Callable

from tests.e2e.api_matrix import ALL, COUNTY_A, COUNTY_B, EDITORS, Case, Ctx

ADMIN = frozenset({"admin"})
#: acknowledging a major-problem report: a supervisor at county level or above (api.md)
COUNTY_UP = frozenset({"admin", "province", "city", "county"})


def prepare_dossiers(ctx: Ctx) -> None:
    """One open dossier on each side."""
    from workflow.auth import SYSTEM
    from workflow.services.dossiers import open_dossier
    for side in ("in", "out"):
        with ctx.api.db.uow() as w:
            ctx.ids[side]["dossier"] = open_dossier(w, SYSTEM, ctx.ids[side]["community"], "矩阵", "2014-12-31")[0].id


def prepare_incidents(ctx: Ctx) -> None:
    """One unacknowledged report on each side."""
    from workflow.auth import SYSTEM
    from workflow.services.incidents import report_incident
    for side in ("in", "out"):
        with ctx.api.db.uow() as w:
            ctx.ids[side]["incident"] = report_incident(w, SYSTEM, ctx.ids[side]["community"], "矩阵", "major")[0].id


def prepare_bulletins(ctx: Ctx) -> None:
    """Today's bulletins; the two counties' ones are the targets."""
    from sqlalchemy import select

    from workflow.models import Bulletin, Region
    from workflow.services.bulletins import generate_bulletins
    generate_bulletins(ctx.api.db)
    with ctx.api.db.uow(write=False) as w:
        for side in ("in", "out"):
            ctx.ids[side]["bulletin"] = w.session.scalar(select(Bulletin.id).join(Region, Region.id == Bulletin.region_id)
                                                         .where(Region.code == ctx.ids[side]["county"]))


PREPARE: dict[str, Callable[[Ctx], None]] = {"dossiers": prepare_dossiers, "incidents": prepare_incidents,
                                             "bulletins": prepare_bulletins}

V = "/api/v1"
CASES: list[Case] = [
    Case("GET", f"{V}/escalations", "/escalations?open=true&region={street}"),
    Case("GET", f"{V}/elections/<int:election_id>/escalations", "/elections/{election}/escalations"),
    Case("POST", f"{V}/admin/sweep", "/admin/sweep", allowed=ADMIN, sees=(ALL, ALL),
         body=lambda ctx, side: {"at": "2015-01-09"}),
    Case("POST", f"{V}/communities/<code>/dossiers", "/communities/{community}/dossiers", allowed=EDITORS,
         passes=(201,), body=lambda ctx, side: {"cause": "矩阵", "due_on": "2015-01-10", "stationed_cadre": None}),
    Case("GET", f"{V}/dossiers", "/dossiers?open=true&region={street}"),
    Case("GET", f"{V}/dossiers/<int:dossier_id>", "/dossiers/{dossier}", needs=("dossiers",)),
    Case("PATCH", f"{V}/dossiers/<int:dossier_id>", "/dossiers/{dossier}", allowed=EDITORS, needs=("dossiers",),
         body=lambda ctx, side: {"note": "矩阵"}),
    Case("POST", f"{V}/communities/<code>/incidents", "/communities/{community}/incidents", allowed=EDITORS,
         passes=(201,), body=lambda ctx, side: {"summary": "矩阵", "severity": "urgent"}),
    Case("GET", f"{V}/incidents", "/incidents?region={street}"),
    Case("GET", f"{V}/incidents/<int:incident_id>", "/incidents/{incident}", needs=("incidents",)),
    Case("POST", f"{V}/incidents/<int:incident_id>/acknowledge", "/incidents/{incident}/acknowledge",
         allowed=COUNTY_UP, passes=(200, 409), needs=("incidents",), body=lambda ctx, side: {"note": "收到"}),
    Case("GET", f"{V}/notifications", "/notifications", sees=(ALL, ALL)),
    Case("POST", f"{V}/notifications/read", "/notifications/read", sees=(ALL, ALL),
         body=lambda ctx, side: {"ids": None}),
    Case("GET", f"{V}/bulletins", "/bulletins?region={county}", sees=(COUNTY_A, COUNTY_B)),
    Case("GET", f"{V}/bulletins/<int:bulletin_id>", "/bulletins/{bulletin}", sees=(COUNTY_A, COUNTY_B),
         needs=("bulletins",)),
    Case("POST", f"{V}/admin/bulletins", "/admin/bulletins", allowed=ADMIN, sees=(ALL, ALL),
         body=lambda ctx, side: {"date": None}),
]
