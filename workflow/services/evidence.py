"""Evidence files of an election (domain.md §14): checked by content, stored by SHA-256, chained in the history."""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any, BinaryIO, Iterator, Optional

from sqlalchemy import select

from ..auth import Actor, may_edit_election, require
from ..db import UnitOfWork
from ..errors import InvalidRequest, NotFound
from ..models import Attachment, AuditEvent, Community, Election, User
from ..storage import CHUNK, Store, open_store, scratch_dir
from .common import audit, community_scope, get_election, require_choice, require_text

KINDS = ("minutes", "count_sheet", "photo", "announcement", "other")
#: domain.md §14's technical ceiling on one file (not an electoral number, so not a rule-set value)
MAX_BYTES = 20 * 1024 * 1024
#: the only contents accepted, by their first bytes (never by the name or the client's content type)
MAGIC = ((b"%PDF-", "application/pdf", ".pdf"), (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
         (b"\x89PNG\r\n\x1a\n", "image/png", ".png"))
UPLOAD_ACTION = "attachment_uploaded"


def sniff(head: bytes) -> Optional[tuple[str, str]]:
    """Return (content type, extension) of a file's first bytes, or None when it is not PDF, JPEG or PNG."""
    for magic, content_type, ext in MAGIC:
        if head.startswith(magic):
            return content_type, ext
    return None


def _too_big() -> InvalidRequest:
    return InvalidRequest.one("file", "must be at most 20 MB", "不能超过20 MB")


def receive(stream: BinaryIO, limit: int = MAX_BYTES) -> tuple[str, int, str, Path]:
    """Read an upload in chunks into a scratch file, hashing and counting; refuse it past the limit.

    Returns (sha256, size, content type, scratch path); never holds more than a chunk in memory.
    """
    digest = hashlib.sha256()
    size = 0
    head = b""
    fd, name = tempfile.mkstemp(dir=scratch_dir(), suffix=".part")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            while True:
                block = stream.read(CHUNK)
                if not block:
                    break
                size += len(block)
                if size > limit:
                    raise _too_big()
                if len(head) < 16:
                    head += block[:16 - len(head)]
                digest.update(block)
                out.write(block)
        if size == 0:
            raise InvalidRequest.one("file", "is empty", "文件为空")
        kind = sniff(head)
        if kind is None:
            raise InvalidRequest.one("file", "must be a PDF, JPEG or PNG file (checked by its content)",
                                     "必须是 PDF、JPEG 或 PNG 文件（按内容检查）")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return digest.hexdigest(), size, kind[0], path


def clean_filename(name: Any, ext: str) -> str:
    """Return a safe display name: the base name, no control characters, at most 200 characters."""
    text = os.path.basename(str(name or "").replace("\\", "/"))
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip()
    text = re.sub(r"\s+", " ", text)[:200] or f"file{ext}"
    return text


def attachment_dict(a: Attachment, uploader: Optional[str] = None) -> dict[str, Any]:
    """Return an attachment as the API shows it."""
    return {"id": a.id, "election": a.election_id, "kind": a.kind, "step": a.step, "sha256": a.sha256,
            "size": a.size, "content_type": a.content_type, "filename": a.filename, "note": a.note,
            "uploaded_by": uploader, "uploaded_at": a.uploaded_at.isoformat() if a.uploaded_at else None}


def check_upload_form(kind: Any, note: Any) -> tuple[str, Optional[str]]:
    """Check the form fields of an upload (400 before anything is read)."""
    return require_choice(kind, "kind", KINDS), require_text(note, "note", 2000, required=False)


def upload(uow: UnitOfWork, actor: Actor, election_id: Any, stream: Optional[BinaryIO], filename: Any,
           kind: Any, note: Any = None, store: Optional[Store] = None) -> dict[str, Any]:
    """Store an evidence file of an election and chain its hash into the election's history."""
    s = uow.session
    election = get_election(s, actor, election_id, for_update=True)
    kind_value, note_text = check_upload_form(kind, note)
    if stream is None:
        raise InvalidRequest.one("file", "is required", "必填")
    require(may_edit_election(actor))
    sha, size, content_type, scratch = receive(stream)
    (store or open_store()).put(sha, scratch)
    row = Attachment(election_id=election.id, kind=kind_value, step=election.state, sha256=sha, size=size,
                     content_type=content_type, filename=clean_filename(filename, ".bin"), note=note_text,
                     uploaded_by=actor.user_id)
    s.add(row)
    s.flush()
    audit(s, actor, UPLOAD_ACTION, election=election, note=note_text,
          data={"attachment": row.id, "kind": kind_value, "step": row.step, "sha256": sha, "size": size,
                "content_type": content_type, "filename": row.filename})
    return attachment_dict(row, actor.username)


def list_attachments(uow: UnitOfWork, actor: Actor, election_id: Any) -> list[dict[str, Any]]:
    """Return an election's evidence files, oldest first."""
    s = uow.session
    election = get_election(s, actor, election_id)
    rows = s.execute(select(Attachment, User.username).outerjoin(User, User.id == Attachment.uploaded_by)
                     .where(Attachment.election_id == election.id).order_by(Attachment.id))
    return [attachment_dict(a, name) for a, name in rows]


def open_attachment(uow: UnitOfWork, actor: Actor, attachment_id: Any,
                    store: Optional[Store] = None) -> tuple[dict[str, Any], Iterator[bytes]]:
    """Return an attachment inside the caller's scope and its content in chunks, or raise NotFound."""
    if isinstance(attachment_id, bool) or not str(attachment_id).isdigit():
        raise NotFound()
    found = uow.session.execute(
        select(Attachment).join(Election, Election.id == Attachment.election_id)
        .join(Community, Community.id == Election.community_id)
        .where(Attachment.id == int(attachment_id), community_scope(actor))).scalars().first()
    if found is None:
        raise NotFound()
    chunks = (store or open_store()).chunks(found.sha256)
    if chunks is None:
        raise NotFound()
    return attachment_dict(found), chunks


def check_files(s: Any, election_id: Optional[int] = None, after_id: int = 0,
                store: Optional[Store] = None) -> list[dict[str, Any]]:
    """Re-hash the stored files the history's upload rows name; return those that no longer match.

    A file is bad when its attachment row is gone or names another hash than the (chained) history row, or when
    the stored content is missing or does not hash to it: a replaced file is found here.
    """
    store = store or open_store()
    a = AuditEvent
    stmt = select(a.id, a.election_id, a.data).where(a.action == UPLOAD_ACTION, a.id > after_id).order_by(a.id)
    if election_id is not None:
        stmt = stmt.where(a.election_id == election_id)
    bad = []
    for history_id, eid, data in s.execute(stmt):
        expected = (data or {}).get("sha256")
        attachment = s.get(Attachment, (data or {}).get("attachment"))
        problem = None
        if attachment is None or attachment.sha256 != expected or attachment.election_id != eid:
            problem = "record"
        else:
            chunks = store.chunks(expected)
            if chunks is None:
                problem = "missing"
            else:
                h = hashlib.sha256()
                for block in chunks:
                    h.update(block)
                if h.hexdigest() != expected:
                    problem = "content"
        if problem:
            bad.append({"attachment": (data or {}).get("attachment"), "history_id": history_id, "election": eid,
                        "problem": problem})
    return bad
