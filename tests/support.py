"""A small world for tests: one province → city → county → street with two communities, users of every role."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from workflow import clock
from workflow.auth import SYSTEM, Actor
from workflow.db import Database
from workflow.models import Election, User
from workflow.services.campaigns import create_campaign, launch_campaign
from workflow.services.reads import actor_for
from workflow.services.structure import create_community, create_region, create_user, set_responsibility

DUE = {"preparation": "2014-12-31", "nomination": "2015-01-20", "candidate_meeting": "2015-02-10",
       "voting": "2015-03-10", "certification": "2015-03-20", "handover": "2015-03-31", "summary": "2015-04-05"}
PASSWORD = "correct horse 1"
TODAY = dt.datetime(2014, 12, 10, 4, 0, tzinfo=dt.timezone.utc)


@dataclass
class World:
    db: Database
    actors: dict[str, Actor] = field(default_factory=dict)
    elections: dict[str, int] = field(default_factory=dict)

    def election(self, uow: Any, key: str) -> Election:
        return uow.session.get(Election, self.elections[key])


def build_world(db: Database, order: str = "party_first") -> World:
    """The small world in an empty database: built through the services once per session, then restored."""
    from tests.snapshots import cached_world
    return cached_world(db, f"world-{order}", lambda fresh: build_world_through_services(fresh, order))


def build_world_through_services(db: Database, order: str = "party_first") -> World:
    """Create the regions, two communities (one plain, one unreformed converted village), users and a campaign."""
    clock.freeze(TODAY)
    world = World(db)
    with db.uow() as uow:
        create_region(uow, SYSTEM, "210000", "辽宁省", "province")
        create_region(uow, SYSTEM, "210100", "沈阳市", "city", "210000")
        create_region(uow, SYSTEM, "210102", "和平区", "county", "210100")
        create_region(uow, SYSTEM, "210102001", "太原街街道", "street", "210102")
        create_region(uow, SYSTEM, "210103", "沈河区", "county", "210100")
        create_region(uow, SYSTEM, "210103001", "大西街道", "street", "210103")
        create_community(uow, SYSTEM, {"code": "210102001001", "name": "北市社区", "street": "210102001",
                                       "households": 3000, "voters": 6000, "party_org_type": "general_branch",
                                       "party_members": 120})
        create_community(uow, SYSTEM, {"code": "210102001002", "name": "南湖村社区", "street": "210102001",
                                       "households": 800, "voters": 1500, "party_org_type": "branch",
                                       "party_members": 40, "village_converted": True})
        create_community(uow, SYSTEM, {"code": "210103001001", "name": "大西社区", "street": "210103001",
                                       "households": 900, "voters": 1800, "party_members": 30})
        for name, role, scope in (("admin", "admin", None), ("province", "supervisor", "210000"),
                                  ("city", "supervisor", "210100"), ("county", "supervisor", "210102"),
                                  ("street", "supervisor", "210102001"), ("cadre", "cadre", "210102001"),
                                  ("inspector", "inspector", "210102"), ("observer", "observer", "210102"),
                                  ("othercadre", "cadre", "210103001")):
            create_user(uow, SYSTEM, name, PASSWORD, role, scope)
        for target, user, kind in (("210102001001", "cadre", "contact"), ("210102001002", "cadre", "contact"),
                                   ("210102001", "county", "contact"), ("210102", "city", "contact"),
                                   ("210102", "province", "first"), ("210102001", "street", "direct")):
            set_responsibility(uow, SYSTEM, target, user, kind)
        # the notice's own campaign sets its own report date (notice, final paragraph; domain.md §6 rev. 2)
        create_campaign(uow, SYSTEM, "LN2014", "辽宁省2014年社区换届", "liaoning-2014", "210000", order, DUE,
                        "2015-04-10")
        launch_campaign(uow, SYSTEM, "LN2014")
    with db.uow() as uow:
        s = uow.session
        for user in s.scalars(select(User)):
            world.actors[user.username] = actor_for(s, user)
        for e in s.scalars(select(Election)):
            short = {"210102001001": "a", "210102001002": "v", "210103001001": "b"}[e.community.code]
            world.elections[f"{short}_{e.body}"] = e.id
    return world
