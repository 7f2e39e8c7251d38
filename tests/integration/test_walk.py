"""Both bodies walked from preparation to closed through the services."""
from __future__ import annotations

import random

from sqlalchemy import func, select

from workflow.models import AuditEvent
from workflow.walk import Walker
from tests.support import build_world


def test_both_bodies_walk_from_preparation_to_closed(db):
    world = build_world(db)
    a = world.actors
    with db.uow() as uow:
        walker = Walker(uow, a["cadre"], a["street"], a["city"], random.Random(1))
        party = world.election(uow, "a_party")
        residents = world.election(uow, "a_residents")
        walker.advance_to(party, "certification")
        walker.advance_to(residents, "closed")
        walker.advance_to(party, "closed")
        assert party.state == residents.state == "closed"
        transitions = uow.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "transition"))
        assert transitions == 14


def test_unreformed_village_walks_under_the_village_law(db):
    world = build_world(db)
    a = world.actors
    with db.uow() as uow:
        walker = Walker(uow, a["cadre"], a["street"], a["city"], random.Random(2))
        walker.advance_to(world.election(uow, "v_party"), "certification")
        e = world.election(uow, "v_residents")
        walker.advance_to(e, "closed")
        assert e.village_law is True
