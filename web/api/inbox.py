"""The inbox (notifications) and the bulletins (情况通报) of the escalation area."""
from __future__ import annotations

from typing import Any

from flask import Response
from marshmallow import fields

from workflow.errors import Forbidden
from workflow.services import bulletins, notifications

from ..downloads import attachment
from .core import ID, actor, body, bp, load, load_query, op, query, uow
from .escalations import Flag
from .schemas import Day, In, Out, PageQuery, Timestamp, choice, id_list, page_schema, text


class NotificationOut(Out):
    id = fields.Integer(required=True)
    subject = fields.String(required=True)
    body = fields.String()
    link = fields.String(allow_none=True)
    created_at = Timestamp(allow_none=True)
    read = fields.Boolean(required=True)
    email = fields.String(allow_none=True)


class InboxQuery(PageQuery):
    unread = Flag()


class ReadIn(In):
    ids = id_list(allow_none=True, load_default=None)


class ReadOut(Out):
    marked = fields.Integer(required=True)
    unread = fields.Integer(required=True)


class BulletinOut(Out):
    id = fields.Integer(required=True)
    campaign = fields.String(required=True)
    region = fields.String(required=True)
    region_name = fields.String()
    level = fields.String()
    date = fields.String(required=True)
    created_at = Timestamp(allow_none=True)
    data = fields.Dict()


class BulletinQuery(PageQuery):
    region = text(24)
    date = Day(metadata={"description": "only the bulletins of this day"})


class DownloadQuery(In):
    format = choice(("csv", "json"), load_default="json")


class GenerateIn(In):
    date = Day(allow_none=True, load_default=None)


class GenerateOut(Out):
    written = fields.Integer(required=True)


NotificationPage = page_schema(NotificationOut, "NotificationPage")
BulletinPage = page_schema(BulletinOut, "BulletinPage")


@bp.get("/notifications")
@bp.output(NotificationPage)
@query(InboxQuery)
@op("Inbox", 400)
def get_notifications() -> dict[str, Any]:
    """Return the caller's inbox, newest first (unread=true: unread only)."""
    args = load_query(InboxQuery)
    with uow(write=False) as w:
        return notifications.list_notifications(w, actor(), bool(args.get("unread")), args["page"], args["per_page"])


@bp.post("/notifications/read")
@bp.output(ReadOut)
@body(ReadIn)
@op("Inbox", 400)
def read_notifications() -> dict[str, Any]:
    """Mark notifications read: the given ids, or all when ids is null."""
    data = load(ReadIn)
    with uow() as w:
        marked = notifications.mark_read(w, actor(), data["ids"])
        return {"marked": marked, "unread": notifications.unread_count(w, actor())}


@bp.get("/bulletins")
@bp.output(BulletinPage)
@query(BulletinQuery)
@op("Bulletins", 400, 404)
def get_bulletins() -> dict[str, Any]:
    """List the bulletins (情况通报) of regions in scope, newest first."""
    args = load_query(BulletinQuery)
    with uow(write=False) as w:
        return bulletins.list_bulletins(w, actor(), args.get("region"), args["page"], args["per_page"],
                                        args.get("date"))


@bp.get(f"/bulletins/<{ID}:bulletin_id>")
@query(DownloadQuery)
@op("Bulletins", 400, 404, ok={
    "description": "the bulletin as JSON (BulletinOut), or with ?format=csv as a CSV file (UTF-8 with BOM)",
    "content": {"application/json": {"schema": BulletinOut}, "text/csv": {"schema": {"type": "string"}}}})
def get_bulletin(bulletin_id: int) -> Any:
    """Return one bulletin; ?format=csv downloads it as CSV."""
    with uow(write=False) as w:
        found = bulletins.get_bulletin(w, actor(), bulletin_id)
    if load_query(DownloadQuery)["format"] == "csv":
        name = f"bulletin-{found['region']}-{found['date']}.csv"
        return Response("\ufeff" + bulletins.bulletin_csv(found, actor().language), mimetype="text/csv",
                        headers=attachment(name))
    return found


@bp.post("/admin/bulletins")
@bp.output(GenerateOut)
@body(GenerateIn)
@op("Bulletins", 400, 403)
def generate_bulletins() -> dict[str, Any]:
    """Write today's (or the given day's) bulletins now (admin)."""
    data = load(GenerateIn)
    if not actor().is_admin:
        raise Forbidden()
    with uow() as w:
        return {"written": bulletins.generate_bulletins(w, data["date"], actor())}
