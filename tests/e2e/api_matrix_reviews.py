"""The matrix rows of the joint review (资格联审, api.md rev. 2; domain.md §12): verdicts are a reviewer's or an admin's.

The base world runs under liaoning-2014, which has no joint review: an admin in scope gets the 409 invalid_state of a rule
set without a review. Under national-2026 (its own campaign) an admin records the verdict (200). Every other role of the
test world gets 403 in scope, 404 outside (a reviewer of the department is tested in tests/e2e/test_api_reviews.py)."""
from __future__ import annotations

import random
from typing import Callable

from tests.e2e.api_matrix import Case, Ctx

#: of the test world's roles only admin records verdicts; the role `reviewer` (its department, its scope) is
#: tested in test_api_reviews.py
ADMIN = frozenset({"admin"})


def prepare_review(ctx: Ctx) -> None:
    """A national-2026 campaign (it has a joint review); on each side its Party election in nomination with
    one candidate."""
    from sqlalchemy import select

    from tests.support import DUE
    from workflow.auth import SYSTEM
    from workflow.models import Community, Election
    from workflow.services.campaigns import create_campaign, launch_campaign
    from workflow.services.election_data import add_candidate
    from workflow.walk import Walker
    with ctx.api.db.uow() as w:
        create_campaign(w, SYSTEM, "CN-REVIEW", "联审", "national-2026", "210000", "concurrent", DUE)
        launch_campaign(w, SYSTEM, "CN-REVIEW")
    a = ctx.api.world.actors
    for side, code, cadre, street in (("in", "210102001001", "cadre", "street"),
                                      ("out", "210103001001", "othercadre", "city")):
        with ctx.api.db.uow() as w:
            election = w.session.scalars(select(Election).join(Community).where(
                Community.code == code, Election.body == "party", Election.campaign.has(code="CN-REVIEW"))).one()
            Walker(w, a[cadre], a[street], a["city"], random.Random(7)).advance_to(election, "nomination")
            ctx.ids[side]["reviewed"] = add_candidate(w, SYSTEM, election.id, {
                "name": "李娜", "post": "member", "party_member": True, "full_member": True}).id


PREPARE: dict[str, Callable[[Ctx], None]] = {"review": prepare_review}

CASES: list[Case] = [
    Case("PUT", "/api/v1/candidates/<int:candidate_id>/reviews/<department>", "/candidates/{candidate}/reviews/court",
         allowed=ADMIN, needs=("candidates",), passes=(409,), body=lambda ctx, side: {"verdict": "pass"},
         name="liaoning-2014"),
    Case("PUT", "/api/v1/candidates/<int:candidate_id>/reviews/<department>",
         "/candidates/{reviewed}/reviews/organization", allowed=ADMIN, needs=("review",),
         body=lambda ctx, side: {"verdict": "pass"}, name="national-2026"),
]
