"""Which stored rows the text rule would refuse today (rows written before the rule): a report, not a repair."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from sqlalchemy import String, Text, select

from ..db import UnitOfWork
from ..models import Base
from ..text import text_problem

#: columns holding one line (names, codes); every other text column may hold line breaks
ONE_LINE = {"code", "name", "username", "display_name", "email", "serial", "target_code", "scope", "kind",
            "community_code", "region_code", "stationed_cadre", "dispatched_from", "education", "rule_set"}
#: columns that are not text people typed (hashes, keys)
SKIP = {"password_hash", "token_hash"}
BATCH = 5000


@dataclass(frozen=True)
class Offender:
    """One stored value the rule would refuse."""

    table: str
    row_id: object
    column: str
    problem: str

    def line(self) -> str:
        """Return the finding as one line (the value itself is not shown: it may be personal data)."""
        return f"{self.table} id={self.row_id} {self.column}: {self.problem}"


def offending_rows(uow: UnitOfWork) -> Iterator[Offender]:
    """Yield every stored text value that breaks the rule, table by table."""
    s = uow.session
    for table in Base.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        texts = [c for c in table.columns if isinstance(c.type, (String, Text)) and c.name not in SKIP
                 and not c.primary_key]
        if not pk or not texts:
            continue
        stmt = select(pk[0], *texts).execution_options(yield_per=BATCH)
        for row in s.execute(stmt):
            for column, value in zip(texts, row[1:]):
                if isinstance(value, str):
                    problem = text_problem(value, multiline=column.name not in ONE_LINE)
                    if problem is not None:
                        yield Offender(table.name, row[0], column.name, problem[0])
