"""Voter roll, objections, proxies, announcements, the election-day calendar and rule sets (api.md rev. 2)."""
from __future__ import annotations

import io
import tempfile
from typing import Any

from flask import Response, request, send_file
from marshmallow import fields, validate

from workflow.errors import InvalidRequest, NotFound
from workflow.ruleset import RuleSetError, available_rule_sets, get_rule_set
from workflow.services import announcements as ann
from workflow.services import objections as obj
from workflow.services import voters as svc
from workflow.services import voters_io
from workflow.services.calendar import election_calendar
from workflow.services.common import get_election
from workflow.services.imports import ImportRejected

from .core import ID, actor, body, bp, lang, load, load_query, op, query, uow
from .errors import json_error
from .schemas import Day, In, Out, PageQuery, choice, ident, text

MAX_UPLOAD = 64 * 1024 * 1024


class VoterIn(In):
    name = fields.Raw(required=True)
    gender = fields.Raw(required=True)
    birth_date = fields.Raw(allow_none=True)
    id_number = fields.Raw(required=True)
    household = fields.Raw(allow_none=True)
    group = fields.Raw(allow_none=True)
    category = fields.Raw(allow_none=True)
    resident_since = fields.Raw(allow_none=True)


class VoterOut(Out):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    gender = fields.String(required=True)
    birth_date = fields.String()
    id_number = fields.String(required=True, metadata={"description": "masked: 210102********123X"})
    household = fields.String(allow_none=True)
    group = fields.String(allow_none=True)
    category = fields.String(required=True)
    resident_since = fields.String(allow_none=True)
    status = fields.String(required=True)
    proxy_holder = fields.Integer(allow_none=True)


class VoterQuery(PageQuery):
    q = fields.String(validate=validate.Length(max=100))
    status = choice(("registered", "removed", "all"))


class ReasonIn(In):
    reason = text(500, required=True)


class ProxyIn(In):
    holder = ident()


class ObjectionIn(In):
    kind = choice(obj.KINDS, required=True)
    voter = ident(required=False, nullable=True)
    person = fields.Dict(allow_none=True)
    reason = text(2000, required=True)
    filed_on = Day(allow_none=True)


class DecisionIn(In):
    decision = choice(obj.DECISIONS, required=True)
    note = text(2000, nullable=True)


class AnnouncementIn(In):
    kind = fields.String(required=True)
    published_on = Day(allow_none=True)
    note = text(2000, nullable=True)


def _page(args: dict[str, Any]) -> tuple[int, int]:
    return int(args.get("page", 1)), int(args.get("per_page", 50))


@bp.post(f"/elections/<{ID}:election_id>/voters")
@bp.output(VoterOut, status_code=201)
@body(VoterIn)
@op("Voter roll", 400, 403, 404, 409)
def register_voter(election_id: int) -> dict[str, Any]:
    """Register a voter (domain.md §10): roll, state and election day first (409), then the person (400)."""
    with uow() as w:
        data = load(VoterIn, exists=lambda: get_election(w.session, actor(), election_id))
        return svc.voter_dict(svc.register_voter(w, actor(), election_id, data))


@bp.get(f"/elections/<{ID}:election_id>/voters")
@query(VoterQuery)
@op("Voter roll", 400, 403, 404, 409)
def list_voters(election_id: int) -> dict[str, Any]:
    """One page of the roll, by name (observers: 403, they see the summary's counts only)."""
    with uow(write=False) as w:
        args = load_query(VoterQuery, exists=lambda: get_election(w.session, actor(), election_id))
        page, per_page = _page(args)
        return svc.list_voters(w.session, actor(), election_id, args.get("q"), page, per_page,
                               args.get("status") or "registered")


@bp.get(f"/elections/<{ID}:election_id>/voters/summary")
@op("Voter roll", 404, 409)
def voters_summary(election_id: int) -> dict[str, Any]:
    """The roll's counts: registered, households, by category, the publication date."""
    with uow(write=False) as w:
        return svc.roll_summary(w.session, actor(), election_id)


@bp.get(f"/elections/<{ID}:election_id>/voters/export")
@op("Voter roll", 403, 404, 409, ok={"description": "The roll as XLSX (id numbers masked)", "content": {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string"}}}})
def export_voters(election_id: int) -> Response:
    """Download the roll as XLSX."""
    out = io.BytesIO()
    with uow(write=False) as w:
        voters_io.export_roll(w, actor(), election_id, out, lang())
    out.seek(0)
    return send_file(out, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     as_attachment=True, download_name=f"voters-{election_id}.xlsx", max_age=0)


@bp.post(f"/elections/<{ID}:election_id>/voters/import")
@op("Voter roll", 400, 403, 404, 409, summary="Import a roll from CSV or XLSX, all or nothing")
def import_voters(election_id: int) -> Any:
    """Import voters (multipart `file`, or the file as the body); any bad row: 400 with `rows`, nothing stored."""
    upload = request.files.get("file")
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        filename = (upload.filename or "") if upload is not None else request.args.get("filename", "")
        if upload is not None:
            upload.save(spool)
        else:
            while chunk := request.stream.read(1 << 20):
                spool.write(chunk)
                if spool.tell() > MAX_UPLOAD:
                    raise InvalidRequest.one("file", "is larger than 64 MB", "文件超过64 MB")
        if spool.tell() == 0:
            with uow(write=False) as w:
                get_election(w.session, actor(), election_id)
            raise InvalidRequest.one("file", "is required (multipart field file, or the request body)",
                                     "必须上传文件（名为 file 的表单字段，或请求体）")
        spool.seek(0)
        try:
            with uow() as w:
                return voters_io.import_voters(w, actor(), election_id, spool, filename)
        except ImportRejected as exc:
            rows = exc.rows(lang())
            return json_error(400, exc.code, exc.message(lang()), fields={"file": exc.message(lang())},
                              rows=rows, problems=rows)


@bp.post(f"/voters/<{ID}:voter_id>/remove")
@bp.output(VoterOut)
@body(ReasonIn)
@op("Voter roll", 400, 403, 404, 409)
def remove_voter(voter_id: int) -> dict[str, Any]:
    """Take a voter off the roll before publication, with the reason."""
    with uow() as w:
        data = load(ReasonIn, exists=lambda: svc.get_voter(w.session, actor(), voter_id))
        return svc.voter_dict(svc.remove_voter(w, actor(), voter_id, data["reason"]))


@bp.post(f"/voters/<{ID}:voter_id>/proxy")
@bp.output(VoterOut, status_code=201)
@body(ProxyIn)
@op("Voter roll", 400, 403, 404, 409)
def give_proxy(voter_id: int) -> dict[str, Any]:
    """Record a written proxy to another voter of the same roll (at most proxy_max per holder)."""
    with uow() as w:
        data = load(ProxyIn, exists=lambda: svc.get_voter(w.session, actor(), voter_id))
        return svc.voter_dict(svc.give_proxy(w, actor(), voter_id, data["holder"]))


@bp.post(f"/elections/<{ID}:election_id>/voter-objections")
@body(ObjectionIn)
@op("Voter roll", 400, 403, 404, 409)
def file_objection(election_id: int) -> Any:
    """File an objection to the published roll (within objection_days); due objection_decision_days later."""
    with uow() as w:
        data = load(ObjectionIn, exists=lambda: get_election(w.session, actor(), election_id))
        if data.get("filed_on") is not None:
            data["filed_on"] = data["filed_on"].isoformat()
        row = obj.objection_dict(obj.file_objection(w, actor(), election_id, data))
    return row, 201


@bp.post(f"/voter-objections/<{ID}:objection_id>/decide")
@body(DecisionIn)
@op("Voter roll", 400, 403, 404, 409)
def decide_objection(objection_id: int) -> dict[str, Any]:
    """Decide an objection: upheld applies the change with the checks of registration."""
    with uow() as w:
        data = load(DecisionIn)
        return obj.objection_dict(obj.decide_objection(w, actor(), objection_id, data["decision"],
                                                       data.get("note")))


@bp.get(f"/elections/<{ID}:election_id>/voter-objections")
@query(PageQuery)
@op("Voter roll", 400, 403, 404, 409)
def list_objections(election_id: int) -> dict[str, Any]:
    """An election's objections, open and oldest due first."""
    with uow(write=False) as w:
        args = load_query(PageQuery, exists=lambda: get_election(w.session, actor(), election_id))
        page, per_page = _page(args)
        return obj.list_objections(w.session, actor(), election_id, page, per_page)


@bp.post(f"/elections/<{ID}:election_id>/announcements")
@body(AnnouncementIn)
@op("Announcements", 400, 403, 404, 409)
def publish_announcement(election_id: int) -> Any:
    """Publish an announcement: rendered now and kept (HTML and PDF with their SHA-256), numbered 第N号."""
    with uow() as w:
        data = load(AnnouncementIn, exists=lambda: get_election(w.session, actor(), election_id))
        if data.get("published_on") is not None:
            data["published_on"] = data["published_on"].isoformat()
        row = ann.announcement_dict(ann.publish(w, actor(), election_id, data))
    return row, 201


@bp.get(f"/elections/<{ID}:election_id>/announcements")
@op("Announcements", 404)
def list_announcements(election_id: int) -> dict[str, Any]:
    """An election's announcements in number order."""
    with uow(write=False) as w:
        items = ann.list_announcements(w.session, actor(), election_id)
    return {"items": items, "total": len(items), "page": 1, "per_page": max(len(items), 1)}


def _document(announcement_id: int, fmt: str) -> Response:
    with uow(write=False) as w:
        row, data = ann.document(w.session, actor(), announcement_id, fmt)
        name = f"announcement-{row.election_id}-{row.number}.{fmt}"
    mimetype = "text/html" if fmt == "html" else "application/pdf"
    response = Response(data, mimetype=mimetype)
    if fmt == "html":
        response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@bp.get(f"/announcements/<{ID}:announcement_id>/document.html")
@op("Announcements", 404, ok={"description": "The announcement as published", "content": {
    "text/html": {"schema": {"type": "string"}}}})
def announcement_html(announcement_id: int) -> Response:
    """The stored HTML of an announcement (printable A4)."""
    return _document(announcement_id, "html")


@bp.get(f"/announcements/<{ID}:announcement_id>/document.pdf")
@op("Announcements", 404, ok={"description": "The announcement as published", "content": {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}}}})
def announcement_pdf(announcement_id: int) -> Response:
    """The stored PDF of an announcement (CJK font embedded)."""
    return _document(announcement_id, "pdf")


@bp.get(f"/elections/<{ID}:election_id>/calendar")
@op("Elections", 404)
def calendar(election_id: int) -> dict[str, Any]:
    """The steps with their due dates and what set them, and the law's deadlines from election day."""
    with uow(write=False) as w:
        return election_calendar(w.session, actor(), election_id)


@bp.get("/rule-sets")
@op("Rule sets")
def rule_sets() -> dict[str, Any]:
    """The rule sets this server knows."""
    items = []
    for name in available_rule_sets():
        try:
            items.append({"name": name, "title": get_rule_set(name).title})
        except RuleSetError:
            continue  # a broken extra file is not offered (it fails at load where it is used)
    return {"items": items}


@bp.get("/rule-sets/<name>")
@op("Rule sets", 404)
def rule_set(name: str) -> dict[str, Any]:
    """A rule set's values as in its file, with `sources` {dotted key: citation} and what was verified."""
    if name not in available_rule_sets():
        raise NotFound()
    try:
        return get_rule_set(name).as_published()
    except RuleSetError:
        raise NotFound() from None

