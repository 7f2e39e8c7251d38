"""The city summary report (domain.md §7) as JSON and as files, each city's submission to the province, imports."""
from __future__ import annotations

import io
import tempfile
from typing import Any

from flask import Response, request
from marshmallow import fields, validate

from workflow.errors import InvalidRequest
from workflow.importing.kinds import KINDS
from workflow.services import imports as import_svc
from workflow.services import submissions as sub_svc
from workflow.services.campaigns import get_campaign
from workflow.services.common import get_region
from workflow.services.report_files import report_json, write_report_csv, write_report_xlsx
from workflow.services.reports import build_report, map_points

from ..downloads import send_download
from .core import actor, body, bp, file_body, lang, load, load_query, op, query, uow
from .errors import json_error
from .schemas import In, Out, choice, text

MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "csv": "text/csv; charset=utf-8", "json": "application/json"}
MAX_IMPORT_BYTES = 64 * 1024 * 1024


class ReportQuery(In):
    city = text(24, metadata={"description": "region code (a city; a province or county also works)"})
    region = text(24, metadata={"description": "alias of city"})


class DownloadQuery(ReportQuery):
    format = choice(("xlsx", "csv", "json"), load_default="xlsx")
    lang = choice(("zh", "en"))


class ReportOut(Out):
    campaign = fields.Dict(required=True)
    region = fields.Dict(required=True)
    drill_down = fields.String(required=True)
    as_of = fields.String(required=True)
    generated_at = fields.String(required=True)
    totals = fields.Dict(required=True, metadata={"description": "the region's figures"})
    rows = fields.List(fields.Dict(), required=True, metadata={"description": "one per child region"})
    dossiers = fields.List(fields.Dict(), required=True)


class MapPointOut(Out):
    code = fields.String(required=True)
    name = fields.String(required=True)
    longitude = fields.Float(allow_none=True)
    latitude = fields.Float(allow_none=True)
    communities = fields.Integer(required=True)
    elections = fields.Integer(required=True)
    closed = fields.Integer(required=True)
    completion = fields.Float(required=True)


class MapOut(Out):
    items = fields.List(fields.Nested(MapPointOut), required=True)


class SubmissionIn(In):
    narrative = text(sub_svc.MAX_NARRATIVE, required=True, multiline=True)


class SubmissionOut(Out):
    campaign = fields.String(required=True)
    city = fields.String(required=True)
    city_name = fields.String()
    due = fields.String(required=True)
    submitted = fields.Boolean(required=True)
    submitted_at = fields.String(allow_none=True)
    submitted_by = fields.String(allow_none=True)
    narrative = fields.String(allow_none=True)
    late = fields.Boolean(required=True)
    days_left = fields.Integer(allow_none=True)
    days_late = fields.Integer()


class SubmissionsOut(Out):
    campaign = fields.String(required=True)
    due = fields.String(required=True)
    today = fields.String(required=True)
    days_left = fields.Integer(required=True)
    report_to = fields.List(fields.String(), required=True)
    report_copied = fields.List(fields.String(), required=True)
    cities = fields.List(fields.Nested(SubmissionOut), required=True)
    submitted = fields.Integer(required=True)
    late = fields.Integer(required=True)
    total = fields.Integer(required=True)


class ImportJsonIn(In):
    content = fields.String(required=True, validate=validate.Length(1, MAX_IMPORT_BYTES),
                            metadata={"description": "the CSV text (header row first); its cells follow the text "
                                                     "rule of every stored text",
                                      "pattern": "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$"})
    filename = text(200)


class ImportOut(Out):
    kind = fields.String(required=True)
    rows = fields.Integer(required=True)
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)


def _region_arg(args: dict[str, Any]) -> Any:
    return args.get("city") or args.get("region")


@bp.get("/campaigns/<code>/report")
@bp.output(ReportOut)
@query(ReportQuery)
@op("Reports", 400, 404, summary="The city summary report (domain.md §7)")
def report(code: str) -> dict[str, Any]:
    """Return the summary report of a campaign for a city (drill-down to its counties) as JSON."""
    with uow(write=False) as w:
        get_campaign(w.session, actor(), code)
        args = load_query(ReportQuery)
        return build_report(w, actor(), code, _region_arg(args))


@bp.get("/campaigns/<code>/report/download")
@query(DownloadQuery)
@op("Reports", 400, 404, ok={
    "description": "the report as an XLSX workbook, a CSV file or a JSON document",
    "content": {MEDIA["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object"}}}})
def report_download(code: str) -> Response:
    """Download the summary report as XLSX (one sheet per topic), CSV (one figure per line) or JSON."""
    with uow(write=False) as w:
        get_campaign(w.session, actor(), code)
        args = load_query(DownloadQuery)
        data = build_report(w, actor(), code, _region_arg(args))
    fmt, language = args["format"], args.get("lang") or lang()
    return send_report(data, fmt, language)


def send_report(data: dict[str, Any], fmt: str, language: str) -> Response:
    """Send a report file as an attachment named after the campaign and region."""
    out = io.BytesIO()
    if fmt == "xlsx":
        write_report_xlsx(data, out, language)
    elif fmt == "csv":
        out.write(b"\xef\xbb\xbf")
        text_out = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        write_report_csv(data, text_out, language)
        text_out.detach()
    else:
        out.write(report_json(data).encode("utf-8"))
    out.seek(0)
    name = f"{data['campaign']['code']}-{data['region']['code']}-{data['region']['name']}-{data['as_of']}.{fmt}"
    return send_download(out, MEDIA[fmt], name)


@bp.get("/campaigns/<code>/map")
@bp.output(MapOut)
@query(ReportQuery)
@op("Reports", 400, 404)
def campaign_map(code: str) -> dict[str, Any]:
    """One point per county of the region at its seat: communities and the share of elections closed."""
    with uow(write=False) as w:
        get_campaign(w.session, actor(), code)
        args = load_query(ReportQuery)
        return {"items": map_points(w, actor(), code, _region_arg(args))}


@bp.get("/campaigns/<code>/submissions")
@bp.output(SubmissionsOut)
@op("Reports", 404)
def submissions(code: str) -> dict[str, Any]:
    """Each city's summary report to the province: submitted or not, when, by whom, late cities flagged."""
    with uow(write=False) as w:
        return sub_svc.submission_status(w, actor(), code)


@bp.get("/campaigns/<code>/submissions/<city>")
@bp.output(SubmissionOut)
@op("Reports", 400, 404)
def submission(code: str, city: str) -> dict[str, Any]:
    """One city's submission, with its narrative."""
    with uow(write=False) as w:
        return sub_svc.get_submission(w, actor(), code, city)


@bp.put("/campaigns/<code>/submissions/<city>")
@bp.output(SubmissionOut)
@body(SubmissionIn)
@op("Reports", 400, 403, 404)
def submit(code: str, city: str) -> dict[str, Any]:
    """Submit (or resubmit) a city's summary report with its narrative (a supervisor of that city)."""
    with uow() as w:
        get_campaign(w.session, actor(), code)
        get_region(w.session, actor(), city)
        data = load(SubmissionIn)
        return sub_svc.submit_report(w, actor(), code, city, data["narrative"])


@bp.post("/imports/<kind>")
@file_body
@bp.output(ImportOut)
@body(ImportJsonIn)
@op("Imports", 400, 403, 404, 413, summary="Import a CSV or XLSX file, all or nothing")
def import_file(kind: str) -> Any:
    """Import regions, communities, users or responsibilities: the file as the body, a multipart `file`, or
    JSON `{"content": CSV text, "filename"}`.

    Any problem: 400 invalid_request with `problems`: [{row, column, problem}] and nothing stored.
    """
    if kind not in KINDS:
        raise InvalidRequest.one("kind", f"must be one of {', '.join(KINDS)}", f"必须是以下之一：{'、'.join(KINDS)}")
    upload = request.files.get("file")
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        if upload is not None:
            filename = upload.filename or ""
            upload.save(spool)
        elif request.is_json:
            data = load(ImportJsonIn)
            filename = data.get("filename") or f"{kind}.csv"
            spool.write(data["content"].encode("utf-8"))
        else:
            filename = request.args.get("filename", "")
            while chunk := request.stream.read(1 << 20):
                spool.write(chunk)
        if spool.tell() == 0:
            raise InvalidRequest.one("file", "is required (the request body, or a multipart field named file)",
                                     "必须上传文件（请求体，或名为 file 的表单字段）")
        spool.seek(0)
        try:
            with uow() as w:
                return import_svc.import_file(w, actor(), kind, spool, filename)
        except import_svc.ImportRejected as exc:
            return json_error(400, exc.code, exc.message(lang()), fields={"file": exc.message(lang())},
                              problems=exc.rows(lang()), counts=exc.counts.as_dict())
