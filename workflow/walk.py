"""Walk an election along the main path through the services, recording what each step's guards need.

Used by the demo data set and by tests: every step goes through the same services and guards as a user's
clicks, so the data it leaves obeys the rules.
"""
from __future__ import annotations

import datetime as dt
import random
from typing import Any, Optional

from sqlalchemy import select

from .auth import Actor
from .clock import today
from .db import UnitOfWork
from .machines import MAIN_PATH
from .models import Candidate, Election
from .services.election_data import (add_candidate, issue_certificate, record_fact, record_facts, record_round,
                                     set_seats)
from .services.elections import fire_trigger, snapshot
from .services.people import set_posts
from .identity import make_id_number

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬志国建春梅海波宁晶琳红旭东丹辉鹏飞雪婷慧斌宇浩凯"
EDUCATION = ("本科", "大专", "高中", "研究生", "中专")
BACKGROUNDS = ("community_worker", "dispatched_cadre", "police", "mass_org", "retired_cadre", "notable",
               "non_public_org", "social_org", "grid_leader", "other")
PREP_COMMON = ("leadership_group_formed", "work_plan_approved", "contingency_plan_filed", "staff_trained",
               "publicity_done", "funding_secured")


def person_name(rng: random.Random) -> str:
    """Return a plausible Chinese name."""
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


class Walker:
    """Advances elections step by step with realistic, rule-abiding records."""

    def __init__(self, uow: UnitOfWork, actor: Actor, supervisor: Actor, city_supervisor: Actor,
                 rng: Optional[random.Random] = None, serial_prefix: str = "LN") -> None:
        self.uow, self.actor, self.sup, self.city = uow, actor, supervisor, city_supervisor
        self.rng = rng or random.Random(0)
        self.serial_prefix = serial_prefix
        self.serial = 0
        self.people = 0
        #: the party candidates this walker created, per community, so that some stand for the residents' too
        self.party_people: dict[int, list[tuple[str, str, int, str]]] = {}
        self.reused: tuple[int, set[int]] = (0, set())

    def facts(self, election: Election, keys: tuple[str, ...] | list[str], actor: Optional[Actor] = None) -> None:
        record_facts(self.uow, actor or self.actor, election.id, {key: True for key in keys})

    def fire(self, election: Election, trigger: str, actor: Optional[Actor] = None) -> None:
        fire_trigger(self.uow, actor or self.actor, election.id, trigger, election.version)

    def advance_to(self, election: Election, target: str) -> None:
        """Advance election from its current state until it reaches target (a main-path state)."""
        while MAIN_PATH.index(election.state) < MAIN_PATH.index(target):
            getattr(self, f"leave_{election.state}")(election)

    def leave_preparation(self, e: Election) -> None:
        rng = self.rng
        self.facts(e, PREP_COMMON)
        if e.body == "party":
            seat_type = snapshot(self.uow.session, e, with_other=False, codes=()).seat_type()
            if seat_type == "branch_no_committee":  # a small branch elects a secretary (and perhaps a deputy)
                members = rng.choice((1, 2))
            else:
                members = {"committee": 7, "general_branch": 5, "branch": 3}[seat_type]
                members += rng.choice((0, 0, 2)) if seat_type != "branch" else rng.choice((0, 2))
            set_seats(self.uow, self.actor, e.id, {"member": members})
            self.facts(e, ("org_setup_confirmed",))
        else:
            ctx = snapshot(self.uow.session, e, with_other=False)
            if ctx.village_converted and not ctx.collective_reform_done and not e.village_law:
                self.fire(e, "apply_village_law", self.sup)
            low = 3 if e.village_law else 5
            deputies = rng.choice((1, 1, 2))
            set_seats(self.uow, self.actor, e.id,
                      {"director": 1, "deputy_director": deputies, "member": max(low - 1 - deputies, 0) + rng.choice((0, 1, 2))})
            self.facts(e, ("election_committee_formed", "qualification_rules_set"))
            # villagers elect directly (VCL Art. 11): under the village law only direct holds
            mode = "direct" if e.village_law else rng.choices(("direct", "household", "representative"), (4, 3, 3))[0]
            record_fact(self.uow, self.actor, e.id, "election_mode", mode)
            day = max(today(), e.campaign and dt.date.fromisoformat(e.campaign.due["nomination"])) + dt.timedelta(days=25)
            record_fact(self.uow, self.actor, e.id, "election_day", day.isoformat())
        self.fire(e, "open_nomination")

    def leave_nomination(self, e: Election) -> None:
        rng = self.rng
        if e.body == "party":
            seats = e.seats["member"]
            for _ in range(seats + (seats + 4) // 5 + rng.choice((0, 1))):
                self._candidate(e, "member")
            self.facts(e, ("member_mass_recommendation_done", "superior_recommendation_done",
                           "candidate_list_reported"))
            self.facts(e, ("candidate_list_approved",), self.sup)
        else:
            for post, n in e.seats.items():
                for _ in range(n + (1 if n else 0) + (1 if n and rng.random() < 0.3 else 0)):
                    self._candidate(e, post)
            ctx = snapshot(self.uow.session, e, with_other=False)
            day = dt.date.fromisoformat(ctx.facts["election_day"])
            record_fact(self.uow, self.actor, e.id, "voter_list_published_on",
                        (day - dt.timedelta(days=20 + rng.randint(0, 5))).isoformat())
            record_fact(self.uow, self.actor, e.id, "candidate_list_published_on",
                        (day - dt.timedelta(days=5 + rng.randint(0, 3))).isoformat())
            self.facts(e, ("voter_objections_resolved",))
        self.fire(e, "open_candidate_meeting")

    def _candidate(self, e: Election, post: str) -> None:
        rng = self.rng
        party = e.body == "party" or rng.random() < 0.6
        name, gender, born = person_name(rng), rng.choice("fm"), rng.randint(1960, 1992)  # the draws in their old order
        self.people += 1  # a valid id number without another draw from rng (the data sets stay as they were)
        region = e.community.code[:6] if e.community.code[:6].isdigit() and e.community.code[0] != "0" else "210000"
        number = make_id_number(region, dt.date(born, 1 + self.people % 12, 1 + self.people % 28),
                                self.people)
        if e.body == "party":
            if e.community_id not in self.party_people and len(self.party_people) >= 64:
                del self.party_people[next(iter(self.party_people))]  # a long walk keeps only recent communities
            self.party_people.setdefault(e.community_id, []).append((name, gender, born, number))
        else:  # one person standing for both committees (一肩挑, 交叉任职), in two communities of three
            known = self.party_people.get(e.community_id, [])
            if self.reused[0] != e.id:
                self.reused = (e.id, set())
            slot = {"director": 0, "member": 1}.get(post)
            if slot is not None and slot not in self.reused[1] and len(known) > slot and e.community_id % 3:
                self.reused[1].add(slot)
                name, gender, born, number = known[slot]
                party = True
        add_candidate(self.uow, self.actor, e.id, {
            "name": name, "post": post, "gender": gender, "id_number": number,
            "incumbent": self.people % 3 == 0,
            "birth_year": born, "education": rng.choice(EDUCATION),
            "party_member": party, "full_member": party, "qualified": True, "on_election_committee": False,
            "presented": False, "background": rng.choice(BACKGROUNDS), "graduate_recruit": rng.random() < 0.15,
        })

    def leave_candidate_meeting(self, e: Election) -> None:
        if e.body == "party":
            self.facts(e, ("candidates_introduced",))
        else:
            from .services.election_data import update_candidate
            for c in self.uow.session.scalars(select(Candidate).where(Candidate.election_id == e.id)):
                update_candidate(self.uow, self.actor, c.id, {"presented": True})
            record_fact(self.uow, self.actor, e.id, "candidate_meeting_held", today().isoformat())
        self.facts(e, ("polling_arrangements_ready",))
        self.fire(e, "open_voting")

    def vote(self, e: Election, kind: str = "first") -> Any:
        """Record a valid round in which the strongest candidates win every open seat."""
        rng = self.rng
        ctx = snapshot(self.uow.session, e, with_other=False)
        open_seats = ctx.open_seats() if kind != "first" else dict(ctx.seats)
        if e.body == "party":
            expected = max(e.community.party_members, 30)
            present = expected * 9 // 10
            base = present
        else:
            expected = max(e.community.voters // (1 if ctx.facts.get("election_mode") == "direct" else 5), 60)
            present = expected * 3 // 4
            base = present
        invalid = rng.randint(0, max(base // 50, 1))
        valid_ballots = base - invalid
        votes: dict[str, int] = {}
        for post, seats in open_seats.items():
            standing = [c for c in ctx.standing if c.post == post and not c.elected]
            rng.shuffle(standing)
            losers = max(len(standing) - seats, 1)
            for i, c in enumerate(standing):
                if i < seats:  # winners: a clear majority, distinct counts so no tie at the last seat
                    votes[str(c.id)] = valid_ballots * (56 + seats - i) // 100
                else:
                    votes[str(c.id)] = max(valid_ballots * 40 // (100 * losers) - i, 0)
        return record_round(self.uow, self.actor, e.id, {
            "kind": kind, "expected": expected, "present": present, "ballots_issued": base,
            "ballots_returned": base, "ballots_invalid": invalid, "votes": votes})

    def leave_voting(self, e: Election) -> None:
        self.vote(e)
        self.facts(e, ("public_count_done", "result_announced"))
        self.fire(e, "announce_result")

    def leave_certification(self, e: Election) -> None:
        if e.body == "party":
            # the first plenary: the strongest winner is secretary, the next the full-time deputy (N2(1))
            elected = list(self.uow.session.scalars(select(Candidate.id).where(
                Candidate.election_id == e.id, Candidate.elected.is_(True), Candidate.voided.is_(False))
                .order_by(Candidate.id)))
            set_posts(self.uow, self.actor, e.id, {"secretary": elected[0], "deputy_secretaries": elected[1:2],
                                                   "full_time_deputy": elected[1] if len(elected) > 1 else None})
            self.facts(e, ("secretary_approved",))
        else:
            for c in self.uow.session.scalars(select(Candidate).where(
                    Candidate.election_id == e.id, Candidate.elected.is_(True), Candidate.voided.is_(False))):
                self.serial += 1
                issue_certificate(self.uow, self.actor, e.id, c.id,
                                  f"{self.serial_prefix}{e.community.code}-{c.id}")
        self.facts(e, ("result_filed",))
        self.fire(e, "certify")

    def leave_handover(self, e: Election) -> None:
        self.facts(e, ("handover_done", "new_cadres_trained", "term_plan_made", "annual_plan_made",
                       "disclosure_system_set", "unsuccessful_candidates_talked"))
        self.fire(e, "complete_handover")

    def leave_summary(self, e: Election) -> None:
        self.facts(e, ("summary_written",))
        self.facts(e, ("inspection_accepted",), self.city)
        self.fire(e, "accept_summary", self.city)
