"""The matrix rows of people and posts (api.md rev. 2; domain.md §9): the Party posts and the roster."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from tests.e2e.api_matrix import E, EDITORS, Case, Ctx


def _add_member(ctx: Ctx, side: str) -> int:
    """Put a part-time member on the roster of the side's Party election; return its id."""
    from workflow.auth import SYSTEM
    from workflow.services.roster import add_roster_member
    with ctx.api.db.uow() as w:
        return add_roster_member(w, SYSTEM, ctx.ids[side]["election"], {
            "kind": "part_time_member", "name": f"矩阵委员{ctx.n()}", "unit": "市第一医院党委",
            "start_on": "2014-01-01"}).id


@dataclass
class FreshMember:
    """Formats as the id of a new roster entry: every caller removes an entry of its own, so an editor's
    removal before it does not turn the next caller's 403 (or 200) into the 404 of a removed entry."""

    ctx: Ctx
    side: str

    def __format__(self, spec: str) -> str:
        return format(_add_member(self.ctx, self.side), spec)


def prepare_roster(ctx: Ctx) -> None:
    """One part-time member on each side's Party election roster (and a fresh one per removal)."""
    for side in ("in", "out"):
        ctx.ids[side]["member"] = _add_member(ctx, side)
        ctx.ids[side]["fresh_member"] = FreshMember(ctx, side)


PREPARE: dict[str, Callable[[Ctx], None]] = {"roster": prepare_roster}
ROSTER = ("roster",)


def _part_time(ctx: Ctx, side: str) -> dict[str, Any]:
    return {"kind": "part_time_member", "name": f"矩阵兼职{ctx.n()}", "unit": "区教育局党组", "gender": "f"}


CASES: list[Case] = [
    # the Party elections of the base world are in preparation: an editor passes both checks and meets the
    # state rule (posts are recorded from certification on), which changes nothing
    Case("PUT", f"{E}/posts", "/elections/{election}/posts", allowed=EDITORS, passes=(409,),
         body=lambda ctx, side: {"secretary": None, "deputy_secretaries": [], "full_time_deputy": None}),
    Case("GET", f"{E}/roster", "/elections/{election}/roster", needs=ROSTER),
    Case("POST", f"{E}/roster", "/elections/{election}/roster", allowed=EDITORS, passes=(201,), body=_part_time),
    Case("PATCH", "/api/v1/roster/<int:member_id>", "/roster/{member}", allowed=EDITORS, needs=ROSTER,
         body=lambda ctx, side: {"end_on": "2017-12-31", "post": "副院长"}),
    Case("POST", "/api/v1/roster/<int:member_id>/remove", "/roster/{fresh_member}/remove", allowed=EDITORS,
         needs=ROSTER, body=lambda ctx, side: {"reason": "误录"}),
]
