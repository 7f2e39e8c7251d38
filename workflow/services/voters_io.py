"""The roll as a file: import (CSV/XLSX, all or nothing) and export (XLSX, id numbers masked)."""
from __future__ import annotations

from typing import IO, Any, Iterator

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..auth import Actor, may_edit_election, require
from ..clock import today
from ..config import identity_key
from ..db import UnitOfWork
from ..importing.columns import RowProblem
from ..importing.engine import Counts, Problems, run_import
from ..importing.files import write_table
from ..importing.voters import COLUMNS, VoterImporter
from ..models import Voter
from .common import audit, get_election
from .imports import ImportRejected
from .voters import _open_roll, _require_names, roll_rules

CATEGORY_ZH = {"hukou": "户籍", "resident": "居住", "worker": "社区工作者"}
GENDER_ZH = {"f": "女", "m": "男"}
EXPORT_BATCH = 2000


def import_voters(uow: UnitOfWork, actor: Actor, election_id: Any, stream: IO[bytes],
                  filename: str = "") -> dict[str, Any]:
    """Import a roll file onto an election; any bad row rejects the whole file (ImportRejected, nothing kept)."""
    s = uow.session
    election, rules, _day = _open_roll(s, actor, election_id)
    require(may_edit_election(actor))
    problems, counts = Problems(), Counts()
    importer = VoterImporter(s, actor, problems, counts, election, rules, identity_key(), today())
    try:
        run_import(importer, stream, filename)
    except IntegrityError:  # the same person registered elsewhere at the same moment
        problems.append(RowProblem(0, None, "someone registered the same people at the same time; import again",
                                   "其他人同时登记了相同的人员，请重新导入"))
    if problems:
        raise ImportRejected("voters", problems.final(), counts)
    audit(s, actor, "voters_imported", election=election,
          data={"file": filename[:200], "imported": counts.created, "rows": counts.rows})
    s.flush()
    return {"imported": counts.created, "rows": counts.rows}


def export_roll(uow: UnitOfWork, actor: Actor, election_id: Any, out: IO[bytes], lang: str = "zh") -> int:
    """Write the roll as XLSX (streamed in batches); the id number only masked, as everywhere."""
    s = uow.session
    election = get_election(s, actor, election_id)
    roll_rules(election)
    _require_names(actor)
    en = lang.startswith("en")
    # no birth date: personal data leaves the server only masked (the id number) or not at all
    header = [c.header(lang) for c in COLUMNS if c.key != "birth_date"] + (["status"] if en else ["状态"])

    def rows() -> Iterator[list[Any]]:
        last = 0
        while True:
            batch = s.scalars(select(Voter).where(Voter.election_id == election.id, Voter.status == "registered",
                                                  Voter.id > last).order_by(Voter.id).limit(EXPORT_BATCH)).all()
            if not batch:
                return
            for v in batch:
                yield [v.name, v.gender if en else GENDER_ZH.get(v.gender, v.gender), v.id_mask, v.household, v.group_name, v.category if en else CATEGORY_ZH.get(v.category),
                       v.resident_since.isoformat() if v.resident_since else None,
                       v.status if en else "已登记"]
            last = batch[-1].id
            for v in batch:
                s.expunge(v)
    return write_table(out, "xlsx", header, rows(), sheet="选民名单" if not en else "voters")
