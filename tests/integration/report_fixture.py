"""A small hand-computed world for the report tests (see the expected figures in test_report.py).

County 210102: community a (plain) with both elections closed; community v (unreformed converted village,
key/difficult) with its party election in certification and its residents' election (village law) in handover.
County 210103: community b with its party election suspended and its residents' election in preparation.
The report is read on 2015-01-05: handover of v (due 10 days after 2014-12-10), the suspension of b (review
2014-12-24) and b's preparation (due 2014-12-31) are overdue.
"""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import select

from tests.support import build_world
from workflow import clock
from workflow.models import Candidate
from workflow.services.complaints import file_complaint, resolve_complaint
from workflow.services.dossiers import open_dossier, update_dossier
from workflow.services.election_data import record_fact
from workflow.services.elections import fire_trigger
from workflow.walk import Walker

REPORT_DAY = dt.datetime(2015, 1, 5, 4, 0, tzinfo=dt.timezone.utc)
# elected party members, in id order: (birth year, gender, education, graduate, background, dispatched from)
PARTY_PEOPLE = [(1980, "f", "研究生", True, "dispatched_cadre", None),
                (1985, "f", "本科", True, "community_worker", None),
                (1979, "f", "大学本科", False, "community_worker", "区民政局"),
                (1970, "m", "大专", False, "community_worker", None),
                (1969, "m", "中专", False, "retired_cadre", None),
                (1960, "m", "高中", False, "retired_cadre", None),
                (1959, "m", "初中", False, "notable", None),
                (None, "m", None, False, None, None)]


class FirstChoice(random.Random):
    """Always the first option: fixed seat numbers, the first election mode, female candidates."""

    def choice(self, seq: Any) -> Any:
        return seq[0]

    def choices(self, population: Any, weights: Any = None, **kw: Any) -> list[Any]:
        return [population[0]]


def build_report_world(db: Any) -> Any:
    """The report world in an empty database: built through the services once per session, then restored."""
    from tests.snapshots import cached_world
    return cached_world(db, "report-world", build_report_world_through_services)


def build_report_world_through_services(db: Any) -> Any:
    """Walk the elections of the small world to the states described above and shape the elected people."""
    world = build_world(db)
    a = world.actors
    with db.uow() as uow:
        walker = Walker(uow, a["cadre"], a["street"], a["city"], FirstChoice(7))
        walker.advance_to(world.election(uow, "a_party"), "closed")
        walker.advance_to(world.election(uow, "a_residents"), "closed")
        walker.advance_to(world.election(uow, "v_party"), "certification")
        walker.advance_to(world.election(uow, "v_residents"), "handover")
        record_fact(uow, a["cadre"], world.elections["v_residents"], "election_mode", "household")
        record_fact(uow, a["othercadre"], world.elections["b_residents"], "election_mode", "representative")
        b_party = world.election(uow, "b_party")
        fire_trigger(uow, a["city"], b_party.id, "suspend", b_party.version, note="应急处置")
    with db.uow() as uow:
        _shape_people(uow.session, world)
        e = world.elections
        c1 = file_complaint(uow, a["inspector"], e["v_party"], "bribery", None, "2014-12-05", "贿选举报")
        resolve_complaint(uow, a["inspector"], c1.id, "unfounded", "查无实据", "discipline")
        file_complaint(uow, a["city"], e["b_residents"], "procedure", None, "2014-12-01", "程序问题")
        file_complaint(uow, a["cadre"], e["a_residents"], "other", None, "2014-12-09", "其他问题")
        open_dossier(uow, a["cadre"], "210102001002", "撤村建居，集体资产未清", "2015-01-01", "王干部")
        d, _ = open_dossier(uow, a["city"], "210103001001", "人选难定", "2015-02-01")
        update_dossier(uow, a["city"], d.id, {"status": "resolved", "note": "已落实"})
    clock.freeze(REPORT_DAY)
    return world


def _shape_people(s: Any, world: Any) -> None:
    """Give the elected people known attributes; one extra, voided 'winner' must never be counted."""
    party_ids = [world.elections["a_party"], world.elections["v_party"]]
    residents_ids = [world.elections["a_residents"], world.elections["v_residents"]]
    elected = list(s.scalars(select(Candidate).where(Candidate.election_id.in_(party_ids),
                                                     Candidate.elected.is_(True)).order_by(Candidate.id)))
    assert len(elected) == len(PARTY_PEOPLE), len(elected)
    for c, (year, gender, edu, grad, background, dispatched) in zip(elected, PARTY_PEOPLE):
        c.birth_year, c.gender, c.education, c.graduate_recruit = year, gender, edu, grad
        c.background, c.dispatched_from, c.party_member = background, dispatched, True
    loser = s.scalars(select(Candidate).where(Candidate.election_id == world.elections["a_party"],
                                              Candidate.elected.is_(False))).first()
    loser.elected, loser.voided, loser.gender = True, True, "f"
    residents = list(s.scalars(select(Candidate).where(Candidate.election_id.in_(residents_ids),
                                                       Candidate.elected.is_(True)).order_by(Candidate.id)))
    assert len(residents) == 8, len(residents)
    for n, c in enumerate(residents):
        c.birth_year, c.education, c.background, c.dispatched_from = 1975, "本科", "community_worker", None
        c.gender = "f" if n < 4 else "m"
        c.party_member = n < 5
        c.graduate_recruit = n == 0
    s.flush()

