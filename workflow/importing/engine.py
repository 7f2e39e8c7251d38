"""The import loop: stream the records, check every cell, hand checked rows to a kind's importer in batches.

Writes happen batch by batch inside the caller's transaction, but only while no problem has been found;
the caller raises (and so rolls back everything) when any row had a problem: all or nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any, Optional

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..auth import Actor
from .columns import MISSING, CellProblem, Column, HeaderMap, RowProblem, map_header
from .readers import FileProblem, open_table

MAX_PROBLEMS = 20000  # beyond this the file is systematically wrong; the rest are counted, not listed


@dataclass
class Counts:
    """What an import did: rows read, and created / updated / unchanged records."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"rows": self.rows, "created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class Problems:
    """Every problem found, with the header text the file used for each field."""

    header_text: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    items: list[RowProblem] = field(default_factory=list)
    dropped: int = 0

    def add(self, row: int, key: Optional[str], en: str, zh: str) -> None:
        """Record a problem of a field (key) in a row."""
        column = None if key is None else self.header_text.get(key, self.labels.get(key, key))
        self.append(RowProblem(row, column, en, zh))

    def append(self, problem: RowProblem) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(problem)
        else:
            self.dropped += 1

    def __bool__(self) -> bool:
        return bool(self.items)

    def final(self) -> list[RowProblem]:
        """Return the problems, with a last line counting those not listed."""
        if not self.dropped:
            return list(self.items)
        return self.items + [RowProblem(0, None, f"… and {self.dropped} more problems not listed",
                                        f"……另有{self.dropped}个问题未列出")]


class Importer:
    """One kind of import: subclasses check rows against the database and write them in batches."""

    kind = ""
    columns: list[Column] = []
    batch_size: Optional[int] = 1000  # None: every row is handed over at once (small, self-referencing files)

    def __init__(self, s: Session, actor: Actor, problems: Problems, counts: Counts) -> None:
        self.s, self.actor, self.problems, self.counts = s, actor, problems, counts

    def problem(self, row: int, key: Optional[str], en: str, zh: str) -> None:
        self.problems.add(row, key, en, zh)

    @property
    def writing(self) -> bool:
        """Write only while the file is clean so far (a problem means everything will be rolled back)."""
        return not self.problems

    def check(self, row: int, record: dict[str, Any]) -> bool:
        """Check one row beyond its cells (lookups, duplicates in the file); return whether it is fit.

        Fields whose cell could not be parsed are absent from the record: check only what is there.
        """
        return True

    def flush(self, batch: list[tuple[int, dict[str, Any]]]) -> None:
        """Compare a batch with the stored records and write it (when writing)."""
        raise NotImplementedError

    def compare(self, old: Any, values: dict[str, Any], updates: list[dict[str, Any]]) -> None:
        """Queue an update when the stored record differs from the file's values; else count it unchanged."""
        if any(getattr(old, k) != v for k, v in values.items()):
            updates.append({"id": old.id, **values})
        else:
            self.counts.unchanged += 1

    def write(self, model: Any, inserts: list[dict[str, Any]], updates: list[dict[str, Any]],
              prepare: Any = None) -> None:
        """Count a batch's new and changed records and write them while the file is clean so far."""
        self.counts.created += len(inserts)
        self.counts.updated += len(updates)
        if self.writing:
            bulk_insert(self.s, model, prepare(inserts) if prepare else inserts)
            if updates:
                self.s.execute(update(model), updates)


def run_import(importer: Importer, stream: IO[bytes], filename: str, header_map: Optional[HeaderMap] = None) -> None:
    """Read the whole file through the importer; problems and counts accumulate on the importer."""
    problems = importer.problems
    problems.labels = {c.key: c.zh for c in importer.columns}
    try:
        table = open_table(stream, filename)
    except FileProblem as exc:
        problems.append(RowProblem(exc.row or 0, None, exc.en, exc.zh))
        return
    hm = header_map or map_header(table.header, importer.columns)
    problems.header_text = hm.header_text
    for p in hm.problems:
        problems.append(p)
    if any(c.required and c.key not in hm.index for c in importer.columns):
        return  # every row would repeat the same complaint
    plan = [(c.key, c.parse, hm.index.get(c.key)) for c in importer.columns]
    batch: list[tuple[int, dict[str, Any]]] = []
    try:
        for rec in table.records:
            importer.counts.rows += 1
            if rec.values is None:
                problems.append(RowProblem(rec.row, None, "the row holds bytes that are neither UTF-8 nor GB18030; "
                                           "save the file as UTF-8 CSV or XLSX",
                                           "该行含有无法识别的字符（既不是 UTF-8 也不是 GB18030 编码），"
                                           "请另存为 UTF-8 编码的 CSV 或 XLSX 文件"))
                continue
            record, cells_ok = _parse_row(rec.row, rec.values, plan, problems)
            fit = importer.check(rec.row, record)  # also for rows with bad cells: report every problem
            if cells_ok and fit:
                batch.append((rec.row, record))
            if importer.batch_size and len(batch) >= importer.batch_size:
                importer.flush(batch)
                batch = []
    except FileProblem as exc:
        problems.append(RowProblem(exc.row or 0, None, exc.en, exc.zh))
        return
    if batch:
        importer.flush(batch)
    if importer.counts.rows == 0 and not problems:
        problems.append(RowProblem(2, None, "the file has a header but no data rows", "文件只有表头，没有数据行"))


def _parse_row(row: int, values: list[Any], plan: list[tuple[str, Any, Optional[int]]],
               problems: Problems) -> tuple[dict[str, Any], bool]:
    """Parse every cell; a cell that fails is left out of the record (and reported)."""
    record: dict[str, Any] = {}
    ok = True
    width = len(values)
    for key, parse, index in plan:
        if index is None:
            record[key] = MISSING
            continue
        try:
            record[key] = parse(values[index] if index < width else "")
        except CellProblem as p:
            problems.add(row, key, p.en, p.zh)
            ok = False
    return record, ok

def bulk_insert(s: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert rows in bulk inside the session's transaction: COPY on PostgreSQL, executemany on SQLite.

    (psycopg sends an executemany as one INSERT per row, and long multi-row INSERTs cost it more to parse
    than COPY costs the server: 100,000 rows go in a second or two this way.)
    """
    if not rows:
        return
    conn = s.connection()
    table = model.__table__
    if conn.dialect.name != "postgresql":
        s.execute(insert(table), rows)
        return
    keys = list(rows[0])
    quote = conn.dialect.identifier_preparer.quote
    columns = ", ".join(quote(table.c[k].name) for k in keys)
    statement = f"COPY {quote(table.name)} ({columns}) FROM STDIN"
    try:
        with conn.connection.driver_connection.cursor() as cur:
            with cur.copy(statement) as copy:
                for row in rows:
                    copy.write_row([row[k] for k in keys])
    except Exception as exc:  # the driver's own error: give it SQLAlchemy's shape for the callers
        if str(getattr(exc, "sqlstate", "") or "").startswith("23"):
            raise IntegrityError(statement, None, exc) from exc
        raise
