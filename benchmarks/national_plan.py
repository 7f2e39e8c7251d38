"""Where each election stands: per province a campaign and calendar, per community the two elections' states.

Decisions are made here in Python (one pass over the communities, cheap); everything the states imply —
facts, candidates, rounds, certificates, history — is then derived set-based in SQL (national_sql.py)
from the plan rows this module produces.
"""
from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from typing import Any

from workflow.clock import SHANGHAI
from workflow.machines import MAIN_PATH

#: state weights early in a campaign and late in it; a province's mix lies between, by its progress
EARLY = (25, 40, 20, 10, 5, 0, 0, 0)
LATE = (3, 12, 15, 15, 15, 15, 12, 13)
DUE_OFFSETS = {"preparation": 30, "nomination": 55, "candidate_meeting": 75, "voting": 95, "certification": 105,
               "handover": 118, "summary": 125}
PARTY_SEATS = {"committee": (7, 9), "general_branch": (5, 7), "branch": (3, 5)}
CONCURRENT_PROVINCES = ("150000", "430000", "620000")
SUSPEND_SHARE = 0.015
HANDOVER_DAYS = 10
REVIEW_DAYS = 14


@dataclass
class Campaign:
    """A province's campaign: id, code, start day and calendar."""

    id: int
    code: str
    name: str
    scope_id: int
    order: str
    start: dt.date
    due: dict[str, dt.date]
    launched_at: dt.datetime

    def row(self) -> tuple[Any, ...]:
        """Return the campaigns table row."""
        return (self.id, self.code, self.name, "liaoning-2014", self.scope_id, self.order,
                json.dumps({k: v.isoformat() for k, v in self.due.items()}), dt.date(2015, 4, 10),
                self.launched_at, self.launched_at)


CAMPAIGN_COLUMNS = ("id", "code", "name", "rule_set", "scope_id", "order_default", "due", "report_due", "created_at",
                    "launched_at")
ELECTION_COLUMNS = ("id", "campaign_id", "community_id", "body", "state", "version", "due_on", "suspended_from",
                    "suspended_on", "review_on", "due_shift_days", "village_law", "round_permit", "seats",
                    "state_entered_at", "updated_at")
PLAN_COLUMNS = ("eid", "cid", "camp", "body", "rank", "progress", "susp", "susp_on", "review_on", "vlaw", "s_member",
                "s_director", "s_deputy", "extra", "mode", "eday", "launch", "entered", "cadre", "cadre_name",
                "csup", "csup_name", "tsup", "tsup_name", "key", "members", "voters", "ccode", "h")
PLAN_DDL = """
CREATE TEMPORARY TABLE plan (
  eid integer PRIMARY KEY, cid integer, camp integer, body text, rank integer, progress integer, susp boolean,
  susp_on date, review_on date, vlaw boolean, s_member integer, s_director integer, s_deputy integer,
  extra integer, mode text, eday date, launch timestamptz, entered timestamptz, cadre integer, cadre_name text,
  csup integer, csup_name text, tsup integer, tsup_name text, key boolean, members integer, voters integer,
  ccode text, h integer)
"""


def campaigns(provinces: list[Any], now: dt.datetime, rng: random.Random) -> list[Campaign]:
    """Give every province a campaign started 25 to 70 days ago, with the calendar of DUE_OFFSETS."""
    today = now.astimezone(SHANGHAI).date()
    out = []
    for i, p in enumerate(provinces, start=1):
        start = today - dt.timedelta(days=rng.randint(25, 70))
        due = {state: start + dt.timedelta(days=days) for state, days in DUE_OFFSETS.items()}
        launched = dt.datetime.combine(start, dt.time(9), SHANGHAI)
        out.append(Campaign(i, f"CN{p.code[:2]}-{today.year}", f"{p.name}{today.year}年城市社区党组织和居委会换届选举",
                            p.id, "concurrent" if p.code in CONCURRENT_PROVINCES else "party_first", start, due,
                            launched))
    return out


def _weights(c: Campaign, today: dt.date) -> list[float]:
    progress = min(max(((today - c.start).days - 25) / 45, 0.0), 1.0)
    return [e * (1 - progress) + late * progress for e, late in zip(EARLY, LATE)]


def _residents_rank(party: int, order: str, weights: list[float], rng: random.Random) -> int:
    if order == "concurrent" or party >= MAIN_PATH.index("certification"):
        return rng.choices(range(len(MAIN_PATH)), weights)[0]
    # party first: the residents' election cannot open voting before the party election reaches certification
    high = min(party + 1, MAIN_PATH.index("candidate_meeting"))
    return rng.randint(max(0, min(party, high) - 1), high)


def _seats(body: str, org_type: str, vlaw: bool, rng: random.Random) -> tuple[int, int, int]:
    """Return (member, director, deputy) seats within the rule set's ranges."""
    if body == "party":
        low, _high = PARTY_SEATS[org_type]
        return low + rng.choice((0, 0, 2)), 0, 0
    low, high = (3, 7) if vlaw else (5, 9)
    deputy = rng.choice((1, 1, 2))
    member = max(low - 1 - deputy, 0) + rng.choice((0, 1, 2))
    member = min(member, high - 1 - deputy)
    return member, 1, deputy


class Planner:
    """Turns communities into elections rows and plan rows."""

    def __init__(self, camps: dict[int, Campaign], people: dict[int, tuple[int, str, int, str, int, str]],
                 now: dt.datetime, rng: random.Random) -> None:
        self.camps, self.people, self.now, self.rng = camps, people, now, rng
        self.today = now.astimezone(SHANGHAI).date()
        self.elections: list[tuple[Any, ...]] = []
        self.plan: list[tuple[Any, ...]] = []
        self.orders: list[tuple[int, int, str]] = []

    def community(self, c: tuple[Any, ...]) -> None:
        """Plan both elections of one communities row (the tuple of national_regions.community_rows)."""
        rng = self.rng
        cid, code, street_id, province_id = c[0], c[1], c[3], c[6]
        org_type, members, voters = c[9], c[10], c[8]
        village, reformed, key = c[12], c[13], c[17]
        camp = self.camps[province_id]
        order = camp.order
        if order == "party_first" and rng.random() < 0.02:
            order = "concurrent"
            self.orders.append((camp.id, cid, order))
        weights = _weights(camp, self.today)
        party = rng.choices(range(len(MAIN_PATH)), weights)[0]
        ranks = {"party": party, "residents": _residents_rank(party, order, weights, rng)}
        for offset, body in enumerate(("party", "residents")):
            self._election(2 * cid - 1 + offset, cid, code, street_id, camp, body, ranks[body], org_type, members,
                           voters, village and not reformed and body == "residents", key)

    def _election(self, eid: int, cid: int, code: str, street_id: int, camp: Campaign, body: str, rank: int,
                  org_type: str, members: int, voters: int, unreformed: bool, key: bool) -> None:
        rng = self.rng
        progress = rng.choices((0, 1, 2), (4, 3, 3))[0] if rank < 7 else 2
        vlaw = unreformed and (rank >= 1 or progress >= 1)
        member, director, deputy = _seats(body, org_type, vlaw, rng)
        has_seats = rank >= 1 or progress >= 1
        seats = ({"member": member} if body == "party" else
                 {"director": director, "deputy_director": deputy, "member": member}) if has_seats else {}
        days_in = (self.today - camp.start).days
        if rank == 0:
            entered = camp.launched_at
        else:
            entered = self.now - dt.timedelta(days=rng.uniform(0.3, min(days_in - 1, 30)))
        entered_day = entered.astimezone(SHANGHAI).date()
        state = MAIN_PATH[rank]
        susp = rank < 7 and rng.random() < SUSPEND_SHARE
        susp_on = review_on = None
        if state == "closed":
            due = None
        elif state == "handover":
            due = min(camp.due["handover"], entered_day + dt.timedelta(days=HANDOVER_DAYS))
        else:
            due = camp.due[state]
        if susp:
            susp_on = max(entered_day, self.today - dt.timedelta(days=rng.randint(1, 25)))
            review_on = susp_on + dt.timedelta(days=REVIEW_DAYS)
            due = review_on
        version = 1 + rank + int(vlaw) + int(susp)
        updated = max(entered, dt.datetime.combine(susp_on, dt.time(10), SHANGHAI)) if susp_on else entered
        self.elections.append((eid, camp.id, cid, body, "suspended" if susp else state, version, due,
                               state if susp else None, susp_on, review_on, 0, vlaw, None, json.dumps(seats),
                               entered, updated))
        mode = rng.choices(("direct", "household", "representative"), (4, 3, 3))[0]
        eday = camp.start + dt.timedelta(days=85 + rng.randint(0, 10))
        cadre, cadre_name, csup, csup_name, tsup, tsup_name = self.people[street_id]
        self.plan.append((eid, cid, camp.id, body, rank, progress, susp, susp_on, review_on, vlaw, member, director,
                          deputy, int(rng.random() < 0.33), mode, eday, camp.launched_at, entered, cadre, cadre_name,
                          csup, csup_name, tsup, tsup_name, key, members, voters, code, rng.randint(0, 999_999)))
