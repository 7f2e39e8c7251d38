"""History integrity and evidence files (api.md; domain.md §14): verify, upload, list, download."""
from __future__ import annotations

from typing import Any

from flask import Response, request
from apiflask.fields import File
from apiflask import Schema
from marshmallow import fields, validate
from werkzeug.exceptions import RequestEntityTooLarge

from workflow.errors import InvalidRequest
from workflow.services import evidence, integrity
from workflow.services.common import get_election
from web.downloads import download_response

from .core import ID, actor, bp, load_query, op, page_of, query, uow
from .schemas import Out, PageQuery, page_schema

#: the multipart body may exceed the file by its boundaries and the other fields
FORM_OVERHEAD = 256 * 1024


class VerifyOut(Out):
    ok = fields.Boolean(required=True)
    rows = fields.Integer(required=True)
    first_bad = fields.Integer(required=True, allow_none=True,
                               metadata={"description": "id of the first history row that does not verify"})
    chain_ok = fields.Boolean(metadata={"description": "the hash chain alone verifies"})
    files_bad = fields.List(fields.Dict(), metadata={
        "description": "evidence files that no longer match their history row: attachment, history_id, problem"})


class AttachmentOut(Out):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    sha256 = fields.String(required=True)
    size = fields.Integer(required=True)
    content_type = fields.String(required=True)
    election = fields.Integer()
    step = fields.String(metadata={"description": "the election's state when the file was uploaded"})
    filename = fields.String()
    note = fields.String(allow_none=True)
    uploaded_by = fields.String(allow_none=True)
    uploaded_at = fields.String(allow_none=True)


AttachmentPage = page_schema(AttachmentOut, "AttachmentPage")


class UploadIn(Schema):
    file = File(required=True, metadata={"description": "PDF, JPEG or PNG (by content), at most 20 MB"})
    kind = fields.String(required=True, validate=validate.OneOf(evidence.KINDS))
    note = fields.String(validate=validate.Length(max=2000))


def multipart(schema: type[Schema]) -> Any:
    """Document a multipart body without reading it yet (the view reads it after the 404 check)."""
    def decorator(f: Any) -> Any:
        annotated = bp.input(schema, location="form_and_files", validation=False)(f)
        f._spec = annotated._spec
        return f
    return decorator
@bp.get(f"/elections/<{ID}:election_id>/verify")
@bp.output(VerifyOut)
@op("History", 404)
def verify(election_id: int) -> dict[str, Any]:
    """Recompute the election's hash chain and re-hash its evidence files; name the first bad row."""
    with uow(write=False) as w:
        return integrity.verify_election(w, actor(), election_id)


@bp.post(f"/elections/<{ID}:election_id>/attachments")
@bp.output(AttachmentOut, status_code=201)
@multipart(UploadIn)
@op("History", 400, 403, 404)
def upload(election_id: int) -> Any:
    """Upload an evidence file (multipart `file`, `kind`, `note`): PDF, JPEG or PNG by content, at most 20 MB."""
    with uow() as w:
        get_election(w.session, actor(), election_id)  # 404 before the body is read
        # werkzeug stops reading the body past this (the file goes to a temporary file, not to memory)
        request.max_content_length = evidence.MAX_BYTES + FORM_OVERHEAD
        try:
            upload_file = request.files.get("file")
            kind, note = request.form.get("kind"), request.form.get("note")
        except RequestEntityTooLarge:
            raise InvalidRequest.one("file", "must be at most 20 MB", "不能超过20 MB") from None
        stream = upload_file.stream if upload_file is not None and upload_file.filename is not None else None
        name = upload_file.filename if upload_file is not None else None
        return evidence.upload(w, actor(), election_id, stream, name, kind, note), 201


@bp.get(f"/elections/<{ID}:election_id>/attachments")
@bp.output(AttachmentPage)
@query(PageQuery)
@op("History", 400, 404)
def attachments(election_id: int) -> dict[str, Any]:
    """List the election's evidence files, oldest first."""
    with uow(write=False) as w:
        args = load_query(PageQuery, exists=lambda: get_election(w.session, actor(), election_id))
        return page_of(evidence.list_attachments(w, actor(), election_id), args["page"], args["per_page"])


@bp.get(f"/attachments/<{ID}:attachment_id>")
@op("History", 404, ok={"description": "the file (Content-Disposition: attachment)", "content": {
    "application/pdf": {}, "image/jpeg": {}, "image/png": {}}})
def download(attachment_id: int) -> Response:
    """Download an evidence file inside the caller's scope."""
    with uow(write=False) as w:
        meta, chunks = evidence.open_attachment(w, actor(), attachment_id)
    return download_response(meta, chunks)
