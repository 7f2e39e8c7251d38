"""Inbox and e-mail outbox: digests per sweep, mail only after commit, retries, captured by a local SMTP server."""
from __future__ import annotations

import email
import socket
import time
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, update

from tests.support import build_world
from workflow.models import Notification, User
from workflow.services.incidents import report_incident
from workflow.services.notifications import MAX_ATTEMPTS, deliver_pending, list_notifications, mark_read, unread_count
from workflow.services.sweep import sweep_overdue


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        msg = email.message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"

    def wait_for(self, count: int, seconds: float = 10.0) -> None:
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp(monkeypatch):
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("HUANJIE_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("HUANJIE_MAIL_FROM", "huanjie@example.org")
    yield handler
    controller.stop()


def give_addresses(db, **addresses):
    with db.uow() as uow:
        for name, address in addresses.items():
            uow.session.execute(update(User).where(User.username == name).values(email=address))


def test_each_person_gets_one_digest_per_sweep_in_the_inbox_without_mail_when_smtp_is_off(db, monkeypatch):
    monkeypatch.delenv("HUANJIE_SMTP_URL", raising=False)
    world = build_world(db)
    give_addresses(db, cadre="cadre@example.org")
    with db.uow() as uow:
        sweep_overdue(uow, at="2015-01-01")
    with db.uow() as uow:
        inbox = list_notifications(uow, world.actors["cadre"])
        assert inbox["total"] == 1
        [note] = inbox["items"]
        assert note["email"] is None and note["read"] is False
        assert "需您督办 4 项" in note["subject"] and "北市社区" in note["body"]
        assert note["link"] == "/notices/escalations?mine=1"
        assert unread_count(uow, world.actors["cadre"]) == 1
        assert mark_read(uow, world.actors["cadre"]) == 1
    with db.uow(write=False) as uow:
        assert unread_count(uow, world.actors["cadre"]) == 0
        assert list_notifications(uow, world.actors["othercadre"])["total"] == 0


def test_an_english_speaking_user_gets_the_digest_in_english(db):
    world = build_world(db)
    with db.uow() as uow:
        uow.session.execute(update(User).where(User.username == "county").values(language="en"))
    with db.uow() as uow:
        sweep_overdue(uow, at="2015-01-09")
    with db.uow(write=False) as uow:
        [note] = list_notifications(uow, world.actors["county"])["items"]
    assert note["subject"].startswith("Escalation: 4 new overdue item(s), 4 for you to act on")
    assert "[level 2]" in note["body"]


def test_sweep_digests_are_mailed_only_after_commit_by_the_outbox(db, smtp):
    world = build_world(db)
    give_addresses(db, cadre="cadre@example.org", street="street@example.org")
    with db.uow() as uow:
        sweep_overdue(uow, at="2015-01-01")
        assert smtp.messages == []  # nothing leaves inside the sweep's transaction
    with db.uow(write=False) as uow:
        pending = uow.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.email_status == "pending"))
    assert pending == 2  # province and county have no address: inbox only
    assert deliver_pending(db) == {"sent": 2, "failed": 0, "retry": 0}
    assert sorted(r[0] for r, _ in smtp.messages) == ["cadre@example.org", "street@example.org"]
    to_cadre = next(m for r, m in smtp.messages if r == ["cadre@example.org"])
    assert "督办提醒" in to_cadre["Subject"] and to_cadre["From"] == "huanjie@example.org"
    assert "北市社区" in to_cadre.get_content()
    assert deliver_pending(db)["sent"] == 0  # sent once
    with db.uow(write=False) as uow:
        statuses = set(uow.session.scalars(select(Notification.email_status).where(
            Notification.email_status.is_not(None))))
    assert statuses == {"sent"}
    assert world


def test_an_incident_report_is_mailed_to_the_county_and_city_leaders_at_once(db, smtp):
    world = build_world(db)
    give_addresses(db, county="county@example.org", city="city@example.org")
    with db.uow() as uow:
        report_incident(uow, world.actors["cadre"], "210102001001", "有人组织冲击选举会场", "urgent")
    smtp.wait_for(2)
    assert sorted(r[0] for r, _ in smtp.messages) == ["city@example.org", "county@example.org"]
    for _rcpt, msg in smtp.messages:
        assert "北市社区" in msg["Subject"] and "紧急" in msg["Subject"]
        assert "有人组织冲击选举会场" in msg.get_content()


def test_unreachable_mail_is_retried_and_then_marked_failed(db, monkeypatch):
    world = build_world(db)
    give_addresses(db, county="county@example.org")
    monkeypatch.setenv("HUANJIE_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")  # nobody listens there
    with db.uow() as uow:
        sweep_overdue(uow, at="2015-01-09")
    for attempt in range(1, MAX_ATTEMPTS + 1):
        result = deliver_pending(db)
        assert result["sent"] == 0
        with db.uow(write=False) as uow:
            row = uow.session.scalars(select(Notification).where(Notification.email_status.is_not(None))).one()
        assert row.email_attempts == attempt
        assert row.email_status == ("failed" if attempt == MAX_ATTEMPTS else "pending")
    assert world
