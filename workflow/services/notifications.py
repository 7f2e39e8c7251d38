"""The in-app inbox of every user and the e-mail outbox.

A notification is a row written in the same transaction as what caused it. When HUANJIE_SMTP_URL is set and the
user has an address, the row starts with email_status 'pending'; e-mail is sent only after commit, by
deliver_pending (the scheduler's outbox job, or a short thread started after a commit), and ends 'sent' or,
after MAX_ATTEMPTS failures, 'failed'. Sending never runs inside a sweep's transaction.
"""
from __future__ import annotations

import logging
import os
import smtplib
import threading
from email.message import EmailMessage
from typing import Any, Iterable, Optional
from urllib.parse import unquote, urlsplit

from sqlalchemy import func, select, update

from .. import metrics
from ..auth import Actor
from ..clock import now
from ..db import Database, UnitOfWork
from ..errors import InvalidRequest
from ..models import Notification, User
from .common import audit
from .locks import db_lock

log = logging.getLogger("huanjie.mail")
MAX_ATTEMPTS = 5


def smtp_url() -> Optional[str]:
    """Return HUANJIE_SMTP_URL (smtp://[user:password@]host:port), or None when mail is off."""
    return os.environ.get("HUANJIE_SMTP_URL", "").strip() or None


def mail_from() -> str:
    """Return the sender address (HUANJIE_MAIL_FROM)."""
    return os.environ.get("HUANJIE_MAIL_FROM", "").strip() or "huanjie@localhost"


def wants_email(user: User) -> bool:
    """Return whether a notification to this user should go out by e-mail too."""
    return bool(smtp_url() and (user.email or "").strip())


def notify(s: Any, user_ids: Iterable[int], subject: str, body: str = "", link: Optional[str] = None) -> list[Notification]:
    """Add one inbox row per distinct active user; e-mail is queued, not sent."""
    rows: list[Notification] = []
    seen: set[int] = set()
    for uid in user_ids:
        if uid in seen:
            continue
        seen.add(uid)
        user = s.get(User, uid)
        if user is None or not user.active:
            continue
        row = Notification(user_id=uid, subject=subject[:300], body=body, link=link, created_at=now(),
                           email_status="pending" if wants_email(user) else None)
        s.add(row)
        rows.append(row)
    return rows


def send_after_commit(uow: UnitOfWork) -> None:
    """Deliver pending e-mail in a background thread once this unit of work has committed."""
    if not smtp_url():
        return
    engine = uow.session.get_bind()

    def start() -> None:
        threading.Thread(target=deliver_pending, args=(Database(engine=engine),), daemon=True,
                         name="huanjie-mail").start()
    uow.after_commit(start)


def notification_dict(n: Notification) -> dict[str, Any]:
    """Return a notification as the inbox shows it."""
    return {"id": n.id, "subject": n.subject, "body": n.body, "link": n.link,
            "created_at": n.created_at.isoformat() if n.created_at else None,
            "read": n.read_at is not None, "email": n.email_status}


def list_notifications(uow: UnitOfWork, actor: Actor, unread: bool = False, page: int = 1,
                       per_page: int = 50) -> dict[str, Any]:
    """Return the actor's inbox, newest first, paginated."""
    s = uow.session
    conds = [Notification.user_id == (actor.user_id or -1)]
    if unread:
        conds.append(Notification.read_at.is_(None))
    total = s.scalar(select(func.count()).select_from(Notification).where(*conds)) or 0
    rows = s.scalars(select(Notification).where(*conds).order_by(Notification.id.desc())
                     .offset((page - 1) * per_page).limit(per_page))
    return {"items": [notification_dict(n) for n in rows], "total": total, "page": page, "per_page": per_page}


def unread_count(uow: UnitOfWork, actor: Actor) -> int:
    """Return how many notifications the actor has not read."""
    return uow.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == (actor.user_id or -1), Notification.read_at.is_(None))) or 0


def mark_read(uow: UnitOfWork, actor: Actor, ids: Any = None) -> int:
    """Mark the given notifications (all when ids is None) of the actor as read; return how many changed."""
    conds = [Notification.user_id == (actor.user_id or -1), Notification.read_at.is_(None)]
    if ids is not None:
        if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise InvalidRequest.one("ids", "must be a list of notification ids", "必须是通知编号列表")
        conds.append(Notification.id.in_(ids))
    changed = uow.session.execute(update(Notification).where(*conds).values(read_at=now())
                                  .execution_options(synchronize_session=False)).rowcount or 0
    if changed:
        audit(uow.session, actor, "notifications_read", data={"count": changed, "ids": ids})
    return int(changed)


def _connect(url: str) -> smtplib.SMTP:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError("HUANJIE_SMTP_URL must start with smtp:// or smtps://")
    host, port = parts.hostname or "localhost", parts.port or (465 if parts.scheme == "smtps" else 25)
    client: smtplib.SMTP = (smtplib.SMTP_SSL(host, port, timeout=20) if parts.scheme == "smtps"
                            else smtplib.SMTP(host, port, timeout=20))
    if parts.username:
        client.login(unquote(parts.username), unquote(parts.password or ""))
    return client


def _message(to: str, subject: str, body: str, link: Optional[str]) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = mail_from(), to, subject
    base = os.environ.get("HUANJIE_BASE_URL", "").rstrip("/")
    text = body + (f"\n\n{base}{link}" if link else "")
    msg.set_content(text + "\n\n—— 换届选举工作系统（Huanjie）")
    return msg


def deliver_pending(database: Database, batch: int = 50, limit: int = 1000) -> dict[str, int]:
    """Send pending e-mail (each row at most once per call); mark sent, or failed after MAX_ATTEMPTS."""
    result = {"sent": 0, "failed": 0, "retry": 0}
    url = smtp_url()
    if not url:
        return result
    with db_lock(database, "outbox", wait=0) as got:
        if not got:
            return result
        last_id = 0
        while result["sent"] + result["failed"] + result["retry"] < limit:
            with database.uow(write=False) as uow:
                rows = uow.session.execute(
                    select(Notification.id, User.email, Notification.subject, Notification.body, Notification.link)
                    .join(User, User.id == Notification.user_id)
                    .where(Notification.email_status == "pending", Notification.id > last_id)
                    .order_by(Notification.id).limit(batch)).all()
            if not rows:
                break
            last_id = rows[-1][0]
            try:
                client: Optional[smtplib.SMTP] = _connect(url)
            except (OSError, smtplib.SMTPException, ValueError) as exc:
                log.warning("cannot reach the mail server: %s", exc)
                client = None
            for nid, email, subject, body, link in rows:
                ok = False
                if client is not None and email:
                    try:
                        client.send_message(_message(email, subject, body, link))
                        ok = True
                    except (OSError, smtplib.SMTPException) as exc:
                        # the notification's id, not the address: personal data stays out of the log
                        log.warning("mail of notification %s failed: %s", nid, type(exc).__name__)
                with database.uow() as uow:
                    n = uow.session.get(Notification, nid)
                    if n is None or n.email_status != "pending":
                        continue
                    n.email_attempts += 1
                    if ok:
                        n.email_status = "sent"
                    elif n.email_attempts >= MAX_ATTEMPTS or not email:
                        n.email_status = "failed"
                    key = "sent" if ok else ("failed" if n.email_status == "failed" else "retry")
                    result[key] += 1
                if not ok:
                    metrics.metrics().outbox_failures.inc()
            if client is not None:
                try:
                    client.quit()
                except (OSError, smtplib.SMTPException):
                    pass
    return result
