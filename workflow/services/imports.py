"""Import and export of the structure (regions, communities, users, responsibilities) as CSV or XLSX.

An import is all or nothing: every row is checked, every problem is reported as (row, column, problem), and
when there is any problem nothing is stored. Re-importing the same file changes nothing.
"""
from __future__ import annotations

from typing import IO, Any, Iterator

from sqlalchemy import null, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from ..auth import Actor, may_administer, require
from ..db import UnitOfWork
from ..errors import InvalidRequest
from ..importing.columns import RowProblem
from ..importing.engine import Counts, Importer, Problems, run_import
from ..importing.files import FORMATS, write_table
from ..importing.kinds import COLUMNS, KIND_LABELS, KINDS
from ..importing.people import ResponsibilityImporter, UserImporter
from ..importing.structure import CommunityImporter, RegionImporter
from ..models import Community, Region, Responsibility, User
from .common import audit, community_scope, region_scope, require_choice

IMPORTERS: dict[str, type[Importer]] = {"regions": RegionImporter, "communities": CommunityImporter,
                                        "users": UserImporter, "responsibilities": ResponsibilityImporter}
EXPORT_BATCH = 2000


class ImportRejected(InvalidRequest):
    """The file had problems; nothing was imported. Carries every problem as (row, column, problem)."""

    def __init__(self, kind: str, problems: list[RowProblem], counts: Counts) -> None:
        self.kind, self.row_problems, self.counts = kind, problems, counts
        n = len(problems)
        super().__init__(None, f"{n} problem(s) in the file; nothing was imported",
                         f"文件中有{n}处问题，未导入任何数据")

    def rows(self, lang: str = "zh") -> list[dict[str, Any]]:
        """Return every problem as {row, column, problem} in the given language."""
        return [p.as_dict(lang) for p in self.row_problems]


def import_file(uow: UnitOfWork, actor: Actor, kind: Any, stream: IO[bytes], filename: str = "") -> dict[str, Any]:
    """Import a CSV or XLSX file of one kind; raise ImportRejected (rolling everything back) on any problem."""
    kind_text = require_choice(kind, "kind", KINDS)
    require(may_administer(actor))
    problems, counts = Problems(), Counts()
    importer = IMPORTERS[kind_text](uow.session, actor, problems, counts)
    try:
        run_import(importer, stream, filename)
    except IntegrityError:  # someone else stored the same codes meanwhile: nothing of this file is kept
        problems.append(RowProblem(0, None, "the same records were changed by someone else at the same time; "
                                            "import the file again", "其他人同时修改了相同的数据，请重新导入该文件"))
    if problems:
        raise ImportRejected(kind_text, problems.final(), counts)
    audit(uow.session, actor, "data_imported", data={"kind": kind_text, "file": filename[:200], **counts.as_dict()})
    uow.session.flush()
    return {"kind": kind_text, **counts.as_dict()}


def template_notes(kind: str) -> list[list[Any]]:
    """Rows of the notes sheet of a template: header, required, what to fill in."""
    rows: list[list[Any]] = [["列名 / Column", "必填 / Required", "说明 / Notes"]]
    for col in COLUMNS[kind]:
        hint = " / ".join(h for h in (col.hint_zh, col.hint_en) if h)
        rows.append([f"{col.zh} ({col.en})", "是" if col.required else "否", hint])
    rows.append([])
    rows.append(["表头可用中文或英文；整个文件全部正确才会导入，重复导入同一文件不会改变数据。", "", ""])
    rows.append(["Headers may be Chinese or English; a file is imported only when every row is right.", "", ""])
    return rows


def write_template(kind: Any, fmt: Any, out: IO[bytes], lang: str = "zh") -> None:
    """Write an empty import template (Chinese headers by default) for a kind."""
    kind_text = require_choice(kind, "kind", KINDS)
    fmt_text = require_choice(fmt, "format", FORMATS)
    header = [c.header(lang) for c in COLUMNS[kind_text]]
    write_table(out, fmt_text, header, [], sheet=KIND_LABELS[kind_text][0], notes=template_notes(kind_text))


def export_structure(uow: UnitOfWork, actor: Actor, kind: Any, fmt: Any, out: IO[bytes], lang: str = "zh") -> int:
    """Export the current structure of a kind inside the actor's scope, in the importer's own format."""
    kind_text = require_choice(kind, "kind", KINDS)
    fmt_text = require_choice(fmt, "format", FORMATS)
    require(may_administer(actor))
    cols = COLUMNS[kind_text]
    rows = (_format_row(kind_text, row) for row in _export_rows(uow, actor, kind_text))
    return write_table(out, fmt_text, [c.header(lang) for c in cols], rows, sheet=KIND_LABELS[kind_text][0])


def _format_row(kind: str, row: Any) -> list[Any]:
    return [col.fmt(getattr(row, col.key)) for col in COLUMNS[kind]]


def _export_rows(uow: UnitOfWork, actor: Actor, kind: str) -> Iterator[Any]:
    s = uow.session
    if kind == "regions":
        parent = aliased(Region)
        stmt = (select(Region.code, Region.name, Region.level, parent.code.label("parent"), Region.longitude,
                       Region.latitude).outerjoin(parent, parent.id == Region.parent_id)
                .where(region_scope(actor)).order_by(Region.code))
    elif kind == "communities":
        street = aliased(Region)
        stmt = (select(*[getattr(Community, c.key) for c in COLUMNS[kind] if c.key != "street"],
                       street.code.label("street")).join(street, street.id == Community.street_id)
                .where(community_scope(actor)).order_by(Community.code))
    elif kind == "users":
        scope = aliased(Region)
        visible = select(Region.id).where(region_scope(actor))
        stmt = (select(User.username, User.display_name, User.role, scope.code.label("scope"), User.email,
                       null().label("password"))  # passwords are never exported
                .outerjoin(scope, scope.id == User.scope_id).order_by(User.username))
        if not actor.sees_everything():
            stmt = stmt.where(User.scope_id.in_(visible))
    else:
        stmt = (select(Responsibility.target_code.label("target"), Responsibility.kind, User.username)
                .join(User, User.id == Responsibility.user_id).order_by(Responsibility.target_code,
                                                                        Responsibility.kind))
        if not actor.sees_everything():
            stmt = stmt.where(Responsibility.region_id.in_(select(Region.id).where(region_scope(actor)))
                              | Responsibility.community_id.in_(select(Community.id).where(community_scope(actor))))
    return iter(s.execute(stmt.execution_options(yield_per=EXPORT_BATCH)))

