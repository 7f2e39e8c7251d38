"""Data exchange pages (blueprint "data"): imports with a per-row problem table, templates, structure exports.

The report page and the submission tracking live in :mod:`web.ui.data_report` on the same blueprint.
"""
from __future__ import annotations

import tempfile
from typing import Any

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField
from wtforms.validators import DataRequired

from workflow.auth import may_administer
from workflow.errors import DomainError, Forbidden, NotFound
from workflow.importing.files import MEDIA_TYPES
from workflow.importing.kinds import COLUMNS, KIND_LABELS, KINDS
from workflow.services.imports import ImportRejected, export_structure, import_file, write_template

from ..downloads import send_download
from .blueprint import protect
from .common import Problem, actor, lang, uow, write

bp = Blueprint("data", __name__, url_prefix="/data")
protect(bp)
PROBLEMS_SHOWN = 1000
NAV = [("data.report", _l("Reports"), None),
       ("data.submissions", _l("Report submissions"), None),
       ("data.imports", _l("Import and export"), ("supervisor", "admin"))]


def init_app(app: Flask) -> None:
    """Register the blueprint and its navigation links (once per process)."""
    from .blueprint import NAV_EXTRA
    app.register_blueprint(bp)
    for entry in NAV:
        if all(e[0] != entry[0] for e in NAV_EXTRA):
            NAV_EXTRA.append(entry)




def kind_label(kind: str) -> str:
    """Return the name of an import kind in the page's language."""
    pair = KIND_LABELS[kind]
    return pair[1] if lang() == "en" else pair[0]


class ImportForm(FlaskForm):
    kind = SelectField(_l("What the file holds"), validators=[DataRequired()])
    file = FileField(_l("File (CSV or XLSX)"), validators=[FileRequired(_l("Choose a file."))])


def _form() -> ImportForm:
    form = ImportForm()
    form.kind.choices = [(k, kind_label(k)) for k in KINDS]
    return form


def _administrator() -> None:
    if not may_administer(actor()):
        raise Forbidden()


@bp.route("/import", methods=["GET", "POST"])
def imports() -> Any:
    """Upload a file: everything is imported, or nothing and every problem is listed by row and column."""
    _administrator()
    form = _form()
    rejected: dict[str, Any] | None = None
    problem = None
    if request.method == "POST" and form.validate_on_submit():
        upload = form.file.data
        try:
            result = write(import_file, form.kind.data, upload.stream, upload.filename or "")
        except ImportRejected as exc:
            rows = exc.rows(lang())
            rejected = {"total": len(rows), "rows": rows[:PROBLEMS_SHOWN], "kind": kind_label(exc.kind),
                        "filename": upload.filename, "read": exc.counts.rows}
        except DomainError as exc:
            problem = Problem(exc)
        else:
            flash(_("%(kind)s imported from %(file)s: %(rows)d rows; %(created)d created, %(updated)d updated, "
                    "%(unchanged)d unchanged.", kind=kind_label(result["kind"]), file=upload.filename or "",
                    rows=result["rows"], created=result["created"], updated=result["updated"],
                    unchanged=result["unchanged"]), "success")
            return redirect(url_for("data.imports"))
    kinds = [{"key": k, "label": kind_label(k), "columns": [c.header(lang()) for c in COLUMNS[k]],
              "required": [c.header(lang()) for c in COLUMNS[k] if c.required]} for k in KINDS]
    status = 400 if request.method == "POST" else 200  # a successful POST redirected above
    return render_template("data/import.html", form=form, kinds=kinds, rejected=rejected, problem=problem,
                           shown=PROBLEMS_SHOWN), status


def _send(fill: Any, kind: str, fmt: str, name: str) -> Any:
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    fill(spool)
    spool.seek(0)
    return send_download(spool, MEDIA_TYPES[fmt], f"{name}.{fmt}")


@bp.route("/template/<kind>.<any(xlsx, csv):fmt>")
def template(kind: str, fmt: str) -> Any:
    """Download an empty import template with Chinese headers (English with the English interface)."""
    _administrator()
    if kind not in KINDS:
        raise NotFound()
    return _send(lambda out: write_template(kind, fmt, out, lang()), kind, fmt,
                 f"template-{kind}-{_('%(kind)s import template', kind=kind_label(kind))}")


@bp.route("/export/<kind>.<any(xlsx, csv):fmt>")
def export(kind: str, fmt: str) -> Any:
    """Download the current structure of the area in the format the importer reads."""
    _administrator()
    if kind not in KINDS:
        raise NotFound()

    def fill(out: Any) -> None:
        with uow() as work:
            export_structure(work, actor(), kind, fmt, out, lang())
    return _send(fill, kind, fmt, f"{kind}-{kind_label(kind)}")
