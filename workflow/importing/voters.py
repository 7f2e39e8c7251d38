"""The voter-roll import (domain.md §10): CSV or XLSX, all or nothing, every bad row reported.

Rows are checked as registration checks a person (workflow.roll), duplicates inside the file by a set of the
rows' id hashes, and duplicates against every roll of the campaign once per batch, with one indexed lookup of
the batch's hashes. Rows stream through in batches (COPY on PostgreSQL): memory stays flat with the file's size.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth import Actor
from ..models import Community, Election, Voter
from ..roll import Person, PersonProblems, check_person
from ..ruleset import RuleSet
from .columns import MISSING, CellProblem, Column, blank
from .engine import Counts, Importer, Problems

GENDERS = {"男": "m", "女": "f", "m": "m", "f": "f", "male": "m", "female": "f"}
CATEGORIES = {"户籍": "hukou", "户籍居民": "hukou", "hukou": "hukou", "居住": "resident", "居住居民": "resident",
              "非户籍": "resident", "resident": "resident", "社区工作者": "worker", "worker": "worker"}


def _raw(value: Any) -> Any:
    """Keep the cell as it is (the person check below judges it); blank cells are None."""
    if blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value.strip() if isinstance(value, str) else value


def _mapped(table: dict[str, str], en: str, zh: str) -> Any:
    def parse(value: Any) -> Optional[str]:
        if blank(value):
            return None
        key = str(value).strip().lower()
        if key not in table:
            raise CellProblem(en, zh)
        return table[key]
    return parse


def _date(value: Any) -> Any:
    """A date cell: a spreadsheet date, YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD."""
    if blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CellProblem("must be a date YYYY-MM-DD", "必须是日期（YYYY-MM-DD）") from None


COLUMNS = [
    Column("name", "姓名", "name", _raw, required=True),
    Column("gender", "性别", "gender", _mapped(GENDERS, "must be 男/女 (m/f)", "必须是男或女"), required=True),
    Column("birth_date", "出生日期", "birth date", _date, aliases=("birth_date",)),
    Column("id_number", "身份证号", "id number", _raw, required=True,
           aliases=("id_number", "身份证号码", "公民身份号码")),
    Column("household", "户", "household", _raw, aliases=("户号", "户编号")),
    Column("group", "居民小组", "group", _raw, aliases=("residents' group", "小组")),
    Column("category", "类别", "category", _mapped(CATEGORIES, "must be 户籍, 居住 or 社区工作者",
                                                  "必须是户籍、居住或社区工作者"), aliases=("登记类别",)),
    Column("resident_since", "居住起始日期", "resident since", _date, aliases=("resident_since",)),
]


class VoterImporter(Importer):
    """Registers the rows of one file on one election's roll."""

    kind = "voters"
    columns = COLUMNS
    batch_size = 2000

    def __init__(self, s: Session, actor: Actor, problems: Problems, counts: Counts, election: Election,
                 rules: RuleSet, key: bytes, today: dt.date) -> None:
        super().__init__(s, actor, problems, counts)
        self.election, self.rules, self.key, self.today = election, rules, key, today
        self.seen: dict[bytes, int] = {}  # id hash (as bytes, half the memory of hex) -> first row
        self.communities: dict[int, Community] = {}

    def check(self, row: int, record: dict[str, Any]) -> bool:
        assert self.rules.roll is not None and self.election.election_day is not None
        raw = {k: v for k, v in record.items() if v is not MISSING}
        if "category" not in raw or raw["category"] is None:
            raw["category"] = "hukou"
        try:
            person = check_person(raw, self.election.election_day, self.rules.roll, self.key, self.today)
        except PersonProblems as exc:
            for name, (en, zh) in exc.problems.items():
                if name in record:  # a cell that failed to parse was reported already
                    self.problem(row, name, en, zh)
            return False
        digest = bytes.fromhex(person.id_hash)
        first = self.seen.get(digest)
        if first is not None:
            self.problem(row, "id_number", f"the same person is already in row {first} of this file",
                         f"与本文件第{first}行为同一人")
            return False
        self.seen[digest] = row
        record["_person"] = person
        return True

    def flush(self, batch: list[tuple[int, dict[str, Any]]]) -> None:
        people: list[tuple[int, Person]] = [(row, rec["_person"]) for row, rec in batch]
        found = dict(self.s.execute(select(Voter.active_key, Voter.community_id).where(
            Voter.campaign_id == self.election.campaign_id,
            Voter.active_key.in_([p.id_hash for _, p in people]))).all())
        inserts = []
        for row, person in people:
            other = found.get(person.id_hash)
            if other is None:
                inserts.append(self._values(person))
                continue
            self.problem(row, "id_number", *self._duplicate_text(other))
        self.write(Voter, inserts, [])

    def _values(self, person: Person) -> dict[str, Any]:
        from ..services.voters import new_voter
        return new_voter(self.election, person, self.actor)

    def _duplicate_text(self, community_id: int) -> tuple[str, str]:
        from ..services.common import in_scope
        community = self.communities.get(community_id) or self.s.get(Community, community_id)
        if community is not None:
            self.communities[community_id] = community
        if community is not None and in_scope(self.actor, community):
            return (f"already on the roll of {community.name} ({community.code}) in this campaign",
                    f"已登记在本次换届{community.name}（{community.code}）的选民名单中")
        return ("already on another roll in this campaign", "已登记在本次换届的其他选民名单中")
