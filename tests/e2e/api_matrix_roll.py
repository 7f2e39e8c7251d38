"""The matrix rows of the voter roll, objections, proxies, announcements, the calendar and rule sets (api.md rev. 2)."""
from __future__ import annotations

import datetime as dt
import io
import os
from typing import Any, Callable

from tests.e2e.api_matrix import ALL, EDITORS, Case, Ctx

READ_NAMES = ALL - {"observer"}  # observers see the roll's counts, not its names
R = "/api/v1/elections/<int:election_id>"
DAY = dt.date(2015, 1, 20)  # the test world's clock is 2014-12-10


def _person(ctx: Ctx) -> dict[str, Any]:
    from workflow.identity import make_id_number
    n = ctx.n()
    return {"name": f"矩阵选民{n}", "gender": "f", "id_number": make_id_number("210102", dt.date(1970, 1, 1) +
                                                                            dt.timedelta(days=n // 1000), n % 1000),
            "group": "一组"}


def prepare_roll(ctx: Ctx) -> None:
    """A national-2026 campaign; on each side a residents' roll with election day, two voters, its published
    voter list (announcement), an open objection; and a roll still open for registration."""
    from sqlalchemy import select

    from tests.support import DUE
    from workflow.auth import SYSTEM
    from workflow.models import Community, Election
    from workflow.services.announcements import publish
    from workflow.services.campaigns import create_campaign, launch_campaign
    from workflow.services.election_data import record_facts
    from workflow.services.objections import file_objection
    from workflow.services.voters import register_voter
    os.environ.setdefault("HUANJIE_IDENTITY_KEY", "matrix-identity-key")
    with ctx.api.db.uow() as w:
        create_campaign(w, SYSTEM, "CN-MATRIX", "矩阵", "national-2026", "210000", "concurrent", DUE)
        launch_campaign(w, SYSTEM, "CN-MATRIX")
    for side, code, other in (("in", "210102001001", "210102001002"), ("out", "210103001001", None)):
        with ctx.api.db.uow() as w:
            ids = dict(w.session.execute(select(Community.code, Election.id).join(Community).where(
                Election.body == "residents", Election.campaign.has(code="CN-MATRIX"))).all())
            e = ids[code]
            record_facts(w, SYSTEM, e, {"election_day": DAY.isoformat(), "election_mode": "direct"})
            voters = [register_voter(w, SYSTEM, e, _person(ctx)).id for _ in range(3)]
            open_roll = ids[other] if other else e
            if other:
                record_facts(w, SYSTEM, open_roll, {"election_day": DAY.isoformat()})
            ctx.ids[side].update(roll=e, voter=voters[0], voter2=voters[1], voter3=voters[2])
        with ctx.api.db.uow() as w:
            ctx.ids[side]["announcement"] = publish(w, SYSTEM, e, {"kind": "voter_list"}).id
            ctx.ids[side]["objection"] = file_objection(w, SYSTEM, e, {"kind": "add", "person": _person(ctx),
                                                                       "reason": "漏登"}).id
            ctx.ids[side]["open_roll"] = open_roll if other else e


def _csv(ctx: Ctx, side: str) -> dict[str, Any]:
    p = _person(ctx)
    data = f"姓名,性别,身份证号\n{p['name']},女,{p['id_number']}\n".encode("utf-8")
    return {"file": (io.BytesIO(data), "roll.csv")}


PREPARE: dict[str, Callable[[Ctx], None]] = {"roll": prepare_roll}
ROLL = ("roll",)

CASES: list[Case] = [
    Case("POST", f"{R}/voters", "/elections/{open_roll}/voters", allowed=EDITORS, passes=(201, 409), needs=ROLL,
         body=lambda ctx, side: _person(ctx)),
    Case("GET", f"{R}/voters", "/elections/{roll}/voters", allowed=READ_NAMES, needs=ROLL),
    Case("GET", f"{R}/voters/summary", "/elections/{roll}/voters/summary", needs=ROLL),
    Case("GET", f"{R}/voters/export", "/elections/{roll}/voters/export", allowed=READ_NAMES, needs=ROLL),
    Case("POST", f"{R}/voters/import", "/elections/{open_roll}/voters/import", allowed=EDITORS, passes=(200, 409),
         needs=ROLL, multipart=True, body=_csv),
    Case("POST", "/api/v1/voters/<int:voter_id>/remove", "/voters/{voter}/remove", allowed=EDITORS,
         passes=(200, 409), needs=ROLL, body=lambda ctx, side: {"reason": "迁出"}),
    Case("POST", "/api/v1/voters/<int:voter_id>/proxy", "/voters/{voter2}/proxy", allowed=EDITORS,
         passes=(201, 409), needs=ROLL, body=lambda ctx, side: {"holder": ctx.ids[side]["voter3"]}),
    Case("POST", f"{R}/voter-objections", "/elections/{roll}/voter-objections", allowed=EDITORS, passes=(201,),
         needs=ROLL, body=lambda ctx, side: {"kind": "add", "person": _person(ctx), "reason": "漏登"}),
    Case("GET", f"{R}/voter-objections", "/elections/{roll}/voter-objections", allowed=READ_NAMES, needs=ROLL),
    Case("POST", "/api/v1/voter-objections/<int:objection_id>/decide", "/voter-objections/{objection}/decide",
         allowed=EDITORS, passes=(200, 409), needs=ROLL, body=lambda ctx, side: {"decision": "rejected"}),
    Case("POST", f"{R}/announcements", "/elections/{roll}/announcements", allowed=EDITORS, passes=(201,),
         needs=ROLL, body=lambda ctx, side: {"kind": "election_notice"}),
    Case("GET", f"{R}/announcements", "/elections/{roll}/announcements", needs=ROLL),
    Case("GET", "/api/v1/announcements/<int:announcement_id>/document.html",
         "/announcements/{announcement}/document.html", needs=ROLL),
    Case("GET", "/api/v1/announcements/<int:announcement_id>/document.pdf",
         "/announcements/{announcement}/document.pdf", needs=ROLL),
    Case("GET", f"{R}/calendar", "/elections/{election}/calendar"),
    Case("GET", "/api/v1/rule-sets", "/rule-sets", sees=(ALL, ALL)),
    Case("GET", "/api/v1/rule-sets/<name>", "/rule-sets/national-2026", sees=(ALL, ALL)),
]
