"""Deterministic elections for the engine tests: walk an election to any state with known seats and candidates."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import func, select

from workflow import clock
from workflow.db import Database
from workflow.machines import MAIN_PATH
from workflow.models import AuditEvent, Candidate, Election, Fact, Round
from workflow.ruleset import get_rule_set
from workflow.services.election_data import (add_candidate, issue_certificate, record_fact, record_round,
                                             set_seats, update_candidate)
from workflow.services.elections import fire_trigger
from tests.support import build_world

PREP_COMMON = ("leadership_group_formed", "work_plan_approved", "contingency_plan_filed", "staff_trained",
               "publicity_done", "funding_secured")
HANDOVER = ("handover_done", "new_cadres_trained", "term_plan_made", "annual_plan_made", "disclosure_system_set",
            "unsuccessful_candidates_talked")
ELECTION_DAY = dt.date(2015, 1, 30)
RES_SEATS = {"director": 1, "deputy_director": 1, "member": 3}


class Engine:
    """A test world plus short-hands that each run one service call in its own unit of work."""

    def __init__(self, db: Database, order: str = "party_first") -> None:
        self.db = db
        self.world = build_world(db, order)
        self.actors = self.world.actors
        self.serial = 0

    # ------------------------------------------------------------ single calls
    def get(self, key: str) -> Election:
        with self.db.uow(write=False) as uow:
            e = uow.session.get(Election, self.world.elections[key])
            assert e is not None
            return e

    def state(self, key: str) -> str:
        return self.get(key).state

    def call(self, fn: Any, *args: Any, actor: str = "cadre", **kw: Any) -> Any:
        """Run one service in its own unit of work as the named actor."""
        with self.db.uow() as uow:
            return fn(uow, self.actors[actor], *args, **kw)

    def fire(self, key: str, trigger: str, actor: str = "cadre", **kw: Any) -> Election:
        version = kw.pop("version", None)
        if version is None:
            version = self.get(key).version
        return self.call(fire_trigger, self.world.elections[key], trigger, version, actor=actor, **kw)

    def fact(self, key: str, fact: str, value: Any = True, actor: str = "cadre") -> None:
        self.call(record_fact, self.world.elections[key], fact, value, actor=actor)

    def facts(self, key: str, facts: tuple[str, ...], actor: str = "cadre") -> None:
        with self.db.uow() as uow:
            for name in facts:
                record_fact(uow, self.actors[actor], self.world.elections[key], name, True)

    def seats(self, key: str, seats: dict[str, int], actor: str = "cadre") -> Election:
        return self.call(set_seats, self.world.elections[key], seats, actor=actor)

    def add(self, key: str, post: str = "member", actor: str = "cadre", **fields: Any) -> int:
        raw = {"name": fields.pop("name", f"候选人{self.serial_next()}"), "post": post, "full_member": True,
               "party_member": True, "qualified": True, **fields}
        return self.call(add_candidate, self.world.elections[key], raw, actor=actor).id

    def update(self, candidate: int, actor: str = "cadre", **fields: Any) -> None:
        self.call(update_candidate, candidate, fields, actor=actor)

    def round(self, key: str, actor: str = "cadre", **raw: Any) -> Round:
        return self.call(record_round, self.world.elections[key], raw, actor=actor)

    def certificate(self, key: str, candidate: int, serial: Optional[str] = None, actor: str = "cadre") -> Any:
        serial = serial or f"LN-T-{self.serial_next()}"
        return self.call(issue_certificate, self.world.elections[key], candidate, serial, actor=actor)

    def serial_next(self) -> int:
        self.serial += 1
        return self.serial

    # ------------------------------------------------------------ reads
    def candidates(self, key: str) -> list[Candidate]:
        with self.db.uow(write=False) as uow:
            return list(uow.session.scalars(select(Candidate).where(
                Candidate.election_id == self.world.elections[key]).order_by(Candidate.id)))

    def elected(self, key: str) -> list[int]:
        return [c.id for c in self.candidates(key) if c.elected and not c.voided]

    def standing(self, key: str, post: Optional[str] = None) -> list[int]:
        return [c.id for c in self.candidates(key) if not (c.withdrawn or c.disqualified or c.voided or c.elected)
                and (post is None or c.post == post)]

    def fact_values(self, key: str) -> dict[str, Any]:
        with self.db.uow(write=False) as uow:
            return {f.key: f.value for f in uow.session.scalars(select(Fact).where(
                Fact.election_id == self.world.elections[key]))}

    def rounds(self, key: str) -> list[Round]:
        with self.db.uow(write=False) as uow:
            return list(uow.session.scalars(select(Round).where(
                Round.election_id == self.world.elections[key]).order_by(Round.id)))

    def audit(self, key: Optional[str] = None, action: Optional[str] = None) -> list[AuditEvent]:
        with self.db.uow(write=False) as uow:
            stmt = select(AuditEvent).order_by(AuditEvent.id)
            if key:
                stmt = stmt.where(AuditEvent.election_id == self.world.elections[key])
            if action:
                stmt = stmt.where(AuditEvent.action == action)
            return list(uow.session.scalars(stmt))

    def count(self, model: Any) -> int:
        with self.db.uow(write=False) as uow:
            return uow.session.scalar(select(func.count()).select_from(model)) or 0

    # ------------------------------------------------------------ walking
    def advance(self, key: str, target: str, **kw: Any) -> None:
        """Walk the election along the main path until it reaches target, deterministically."""
        while MAIN_PATH.index(self.state(key)) < MAIN_PATH.index(target):
            state = self.state(key)
            getattr(self, f"_leave_{state}")(key, **kw)

    def _leave_preparation(self, key: str, seats: Any = None, mode: str = "direct", **_: Any) -> None:
        e = self.get(key)
        self.facts(key, PREP_COMMON)
        if e.body == "party":
            self.seats(key, {"member": seats or 5})
            self.facts(key, ("org_setup_confirmed",))
        else:
            if key.startswith("v") and not e.village_law:
                self.fire(key, "apply_village_law", actor="street")
            self.seats(key, seats or RES_SEATS)
            self.facts(key, ("election_committee_formed", "qualification_rules_set"))
            self.fact(key, "election_mode", mode)
            self.fact(key, "election_day", ELECTION_DAY.isoformat())
        self.fire(key, "open_nomination")

    def _leave_nomination(self, key: str, candidates: Optional[int] = None, **_: Any) -> None:
        e = self.get(key)
        if e.body == "party":
            seats = e.seats["member"]
            n = candidates or get_rule_set("liaoning-2014").party.min_candidates(seats)
            for _ in range(n):
                self.add(key)
            self.facts(key, ("member_mass_recommendation_done", "superior_recommendation_done",
                             "candidate_list_reported"))
            self.fact(key, "candidate_list_approved", actor="street")
        else:
            for post, n in e.seats.items():
                for _ in range(n + 1 if n else 0):
                    self.add(key, post, party_member=False, full_member=False)
            self.fact(key, "voter_list_published_on", (ELECTION_DAY - dt.timedelta(days=20)).isoformat())
            self.fact(key, "candidate_list_published_on", (ELECTION_DAY - dt.timedelta(days=5)).isoformat())
            self.facts(key, ("voter_objections_resolved",))
        self.fire(key, "open_candidate_meeting")

    def _leave_candidate_meeting(self, key: str, **_: Any) -> None:
        e = self.get(key)
        if e.body == "party":
            self.facts(key, ("candidates_introduced",))
        else:
            for cid in self.standing(key):
                self.update(cid, presented=True)
            self.fact(key, "candidate_meeting_held", clock.today().isoformat())
        self.facts(key, ("polling_arrangements_ready",))
        self.fire(key, "open_voting")

    def winning_round(self, key: str, kind: str = "first") -> Round:
        """Record a valid round in which the first standing candidates of each post take the open seats."""
        open_seats = self.open_seats(key)
        votes: dict[str, int] = {}
        for post, seats in open_seats.items():
            for i, cid in enumerate(self.standing(key, post)):
                votes[str(cid)] = 80 - i if i < seats else 10
        return self.round(key, kind=kind, expected=100, present=95, ballots_issued=95, ballots_returned=95,
                          ballots_invalid=0, votes=votes)

    def open_seats(self, key: str) -> dict[str, int]:
        e = self.get(key)
        held: dict[str, int] = {}
        for c in self.candidates(key):
            if c.elected and not c.voided:
                held[c.post] = held.get(c.post, 0) + 1
        return {p: n - held.get(p, 0) for p, n in e.seats.items()}

    def _leave_voting(self, key: str, **_: Any) -> None:
        if not self.rounds(key):
            self.winning_round(key)
        self.facts(key, ("public_count_done", "result_announced"))
        self.fire(key, "announce_result")

    def posts(self, key: str, actor: str = "cadre", **raw: Any) -> dict[str, Any]:
        """Record the first plenary's posts: by default the first elected is secretary, the second full-time deputy."""
        if not raw:
            elected = sorted(self.elected(key))
            raw = {"secretary": elected[0], "deputy_secretaries": elected[1:2],
                   "full_time_deputy": elected[1] if len(elected) > 1 else None}
        from workflow.services.people import set_posts
        return self.call(set_posts, self.world.elections[key], raw, actor=actor)

    def certify_all(self, key: str) -> None:
        with self.db.uow(write=False) as uow:
            from workflow.models import Certificate
            held = set(uow.session.scalars(select(Certificate.candidate_id).where(Certificate.revoked_at.is_(None))))
        for cid in self.elected(key):
            if cid not in held:
                self.certificate(key, cid)

    def _leave_certification(self, key: str, **_: Any) -> None:
        e = self.get(key)
        if e.body == "party":
            self.posts(key)
            self.facts(key, ("secretary_approved",))
        else:
            self.certify_all(key)
        self.facts(key, ("result_filed",))
        self.fire(key, "certify")

    def _leave_handover(self, key: str, **_: Any) -> None:
        self.facts(key, HANDOVER)
        self.fire(key, "complete_handover")

    def _leave_summary(self, key: str, **_: Any) -> None:
        self.facts(key, ("summary_written",))
        self.fact(key, "inspection_accepted", actor="city")
        self.fire(key, "accept_summary", actor="city")
