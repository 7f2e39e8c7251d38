"""Persistence adapter: SQLAlchemy 2 tables. The domain modules (guards, rounds, machines) never import it."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import (JSON, Date, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text,
                        UniqueConstraint, event, text)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    """Return the current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.timezone.utc)


class Base(DeclarativeBase):
    """Declarative base of every table."""

    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


TS = DateTime(timezone=True)


class Region(Base):
    __tablename__ = "regions"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(10))  # province | city | county | street
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("regions.id"), index=True)
    # denormalized ancestors (self included) so scope filters are one indexed equality
    province_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    city_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    county_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    longitude: Mapped[Optional[float]]
    latitude: Mapped[Optional[float]]
    parent: Mapped[Optional["Region"]] = relationship(remote_side=[id])


class Community(Base):
    __tablename__ = "communities"
    # scope filter + ORDER BY code in one index per level: the lists page through a region in code order
    # without sorting it, and an index on the level alone would be redundant with these
    __table_args__ = tuple(Index(f"ix_communities_{level}_code", f"{level}_id", "code")
                           for level in ("street", "county", "city", "province"))
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    street_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    county_id: Mapped[int] = mapped_column(Integer)
    city_id: Mapped[int] = mapped_column(Integer)
    province_id: Mapped[int] = mapped_column(Integer)
    households: Mapped[int] = mapped_column(default=0)
    voters: Mapped[int] = mapped_column(default=0)
    party_org_type: Mapped[str] = mapped_column(String(16), default="branch")
    party_members: Mapped[int] = mapped_column(default=0)
    urban_rural_fringe: Mapped[bool] = mapped_column(default=False)
    village_converted: Mapped[bool] = mapped_column(default=False)
    collective_reform_done: Mapped[bool] = mapped_column(default=False)
    migrant_dense: Mapped[bool] = mapped_column(default=False)
    new_residential: Mapped[bool] = mapped_column(default=False)
    other_risk: Mapped[Optional[str]] = mapped_column(Text)
    key_difficult: Mapped[bool] = mapped_column(default=False, index=True)  # derived on every write
    street: Mapped[Region] = relationship(foreign_keys=[street_id])

    def refresh_key_difficult(self) -> None:
        """Key/difficult when any of the four flags is set or another risk is named (N1(2))."""
        self.key_difficult = bool(self.urban_rural_fringe or self.village_converted or self.migrant_dense
                                  or self.new_residential or (self.other_risk or "").strip())


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    scope_id: Mapped[Optional[int]] = mapped_column(ForeignKey("regions.id"))
    language: Mapped[str] = mapped_column(String(8), default="zh")
    email: Mapped[Optional[str]] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    password_changed_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[Optional[dt.datetime]] = mapped_column(TS)
    created_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    #: moves on every password change: a session signed in under another value is dead (no clock resolution)
    auth_version: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    #: the joint review's department of a `reviewer` (domain.md §12); null for every other role
    department: Mapped[Optional[str]] = mapped_column(String(32))
    scope: Mapped[Optional[Region]] = relationship()


class UiSession(Base):
    """A signed-in UI session, checked on every request: sign-out and password changes end it server-side."""

    __tablename__ = "ui_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    sid_hash: Mapped[str] = mapped_column(String(64), unique=True)
    auth_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(TS)
    expires_at: Mapped[dt.datetime] = mapped_column(TS)
    revoked_at: Mapped[Optional[dt.datetime]] = mapped_column(TS)


class LoginThrottle(Base):
    """Failed sign-ins counted per (account, client address) and per client address, with the wait they earned."""

    __tablename__ = "login_throttles"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)  # "a:<sha256 of username>:<address>" or "ip:<address>"
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[dt.datetime] = mapped_column(TS)
    blocked_until: Mapped[Optional[dt.datetime]] = mapped_column(TS)


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(TS)
    revoked_at: Mapped[Optional[dt.datetime]] = mapped_column(TS)


class Responsibility(Base):
    """三包三保: who answers for a region or community (contact), and a region's first/direct persons."""

    __tablename__ = "responsibilities"
    __table_args__ = (UniqueConstraint("target_code", "kind", name="uq_responsibility_target_kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    target_code: Mapped[str] = mapped_column(String(24))
    region_id: Mapped[Optional[int]] = mapped_column(ForeignKey("regions.id"), index=True)
    community_id: Mapped[Optional[int]] = mapped_column(ForeignKey("communities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # contact | first | direct
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    user: Mapped[User] = relationship()


class Campaign(Base):
    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    rule_set: Mapped[str] = mapped_column(String(40))
    scope_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    order: Mapped[str] = mapped_column("order_default", String(16), default="party_first")
    due: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # state -> ISO date
    report_due: Mapped[Optional[dt.date]] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    launched_at: Mapped[Optional[dt.datetime]] = mapped_column(TS)
    scope: Mapped[Region] = relationship()


class CommunityOrder(Base):
    __tablename__ = "community_orders"
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    order: Mapped[str] = mapped_column("order_value", String(16))


class Election(Base):
    __tablename__ = "elections"
    __table_args__ = (
        UniqueConstraint("campaign_id", "community_id", "body", name="uq_election_campaign_community_body"),
        Index("ix_elections_campaign_state_due", "campaign_id", "state", "due_on"),
        Index("ix_elections_due_state", "due_on", "state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    body: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(20), default="preparation")
    version: Mapped[int] = mapped_column(default=1)
    due_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    suspended_from: Mapped[Optional[str]] = mapped_column(String(20))
    suspended_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    review_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    due_shift_days: Mapped[int] = mapped_column(default=0)
    village_law: Mapped[bool] = mapped_column(default=False)
    # the round kind awaited (another | revote | tie_break | by_election) until that round is recorded
    round_permit: Mapped[Optional[str]] = mapped_column(String(16))
    #: the fact election_day, kept on the row: due dates count from it where the rule set has calendar offsets
    election_day: Mapped[Optional[dt.date]] = mapped_column(Date)
    seats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state_entered_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    campaign: Mapped[Campaign] = relationship()
    community: Mapped[Community] = relationship()


class Fact(Base):
    __tablename__ = "facts"
    __table_args__ = (UniqueConstraint("election_id", "key", name="uq_fact_election_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"), index=True)
    key: Mapped[str] = mapped_column(String(48))
    value: Mapped[Optional[Any]] = mapped_column(JSON)
    note: Mapped[Optional[str]] = mapped_column(Text)
    recorded_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)


class Candidate(Base):
    __tablename__ = "candidates"
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    post: Mapped[str] = mapped_column(String(16))
    gender: Mapped[Optional[str]] = mapped_column(String(1))
    birth_year: Mapped[Optional[int]]
    education: Mapped[Optional[str]] = mapped_column(String(40))
    party_member: Mapped[bool] = mapped_column(default=False)
    full_member: Mapped[bool] = mapped_column(default=False)
    qualified: Mapped[bool] = mapped_column(default=False)
    on_election_committee: Mapped[bool] = mapped_column(default=False)
    presented: Mapped[bool] = mapped_column(default=False)
    background: Mapped[Optional[str]] = mapped_column(String(24))
    graduate_recruit: Mapped[bool] = mapped_column(default=False)
    dispatched_from: Mapped[Optional[str]] = mapped_column(String(200))
    withdrawn: Mapped[bool] = mapped_column(default=False)
    disqualified: Mapped[bool] = mapped_column(default=False)
    voided: Mapped[bool] = mapped_column(default=False)
    elected: Mapped[bool] = mapped_column(default=False)
    elected_round_id: Mapped[Optional[int]] = mapped_column(Integer)
    #: a person written in on the ballots (另选他人) who won or tied at the last seat (domain.md §4.4)
    write_in: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    created_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    # identity (domain.md §9): the keyed hash links one person across records; the mask is all that is shown
    id_hash: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    id_masked: Mapped[Optional[str]] = mapped_column(String(18))
    incumbent: Mapped[bool] = mapped_column(default=False)
    # the Party committee's posts elected by its first plenary: secretary | deputy_secretary, and the one full-time
    # deputy (N2(1)); residents' posts are `post` itself
    party_post: Mapped[Optional[str]] = mapped_column(String(20))
    full_time_deputy: Mapped[bool] = mapped_column(default=False)
    #: the joint review's computed status, pending | passed | failed; null without a review (domain.md §12)
    review_status: Mapped[Optional[str]] = mapped_column(String(8))


class CandidateReview(Base):
    """One department's current verdict on a candidate (资格联审, domain.md §12); its changes are in the history."""

    __tablename__ = "candidate_reviews"
    __table_args__ = (UniqueConstraint("candidate_id", "department", name="uq_candidate_review"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    department: Mapped[str] = mapped_column(String(32))
    verdict: Mapped[str] = mapped_column(String(8))
    grounds: Mapped[Optional[list[Any]]] = mapped_column(JSON, default=list)
    note: Mapped[Optional[str]] = mapped_column(Text)
    recorded_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)


class RosterMember(Base):
    """第一书记 and 兼职委员 (N2(1)): appointed beside the Party election, never elected members."""

    __tablename__ = "roster_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # first_secretary | part_time_member
    name: Mapped[str] = mapped_column(String(100))
    gender: Mapped[Optional[str]] = mapped_column(String(1))
    unit: Mapped[str] = mapped_column(String(200))
    post: Mapped[Optional[str]] = mapped_column(String(100))
    start_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    end_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    removed_at: Mapped[Optional[dt.datetime]] = mapped_column(TS)
    created_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)


class Round(Base):
    __tablename__ = "rounds"
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"), index=True)
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    basis: Mapped[str] = mapped_column(String(16))  # first | another | tie_break: whose thresholds apply
    expected: Mapped[int]
    present: Mapped[int]
    ballots_issued: Mapped[int]
    ballots_returned: Mapped[int]
    ballots_invalid: Mapped[int]
    votes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    open_seats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    valid: Mapped[bool]
    problems: Mapped[list[Any]] = mapped_column(JSON, default=list)
    elected: Mapped[list[Any]] = mapped_column(JSON, default=list)
    unfilled: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    tied: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON, default=dict)  # post -> tied candidate ids
    write_ins: Mapped[Optional[list[Any]]] = mapped_column(JSON, default=list)  # [{name, post, votes, candidate}]
    stations: Mapped[Optional[list[Any]]] = mapped_column(JSON)  # the polling places as entered, or None
    eligible: Mapped[Optional[list[Any]]] = mapped_column(JSON, default=list)  # candidate ids standing in it
    superseded: Mapped[bool] = mapped_column(default=False)
    recorded_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)


class Certificate(Base):
    __tablename__ = "certificates"
    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(64), unique=True)  # unique across the whole system, revoked too
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    issued_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    revoked_at: Mapped[Optional[dt.datetime]] = mapped_column(TS)


class Complaint(Base):
    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_open_due", "resolved_at", "due_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    candidate_id: Mapped[Optional[int]] = mapped_column(ForeignKey("candidates.id"))
    category: Mapped[str] = mapped_column(String(24))
    summary: Mapped[str] = mapped_column(Text)
    received_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    filed_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    outcome: Mapped[Optional[str]] = mapped_column(String(24))
    referral: Mapped[Optional[str]] = mapped_column(String(16))
    resolution_note: Mapped[Optional[str]] = mapped_column(Text)
    resolved_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[Optional[dt.datetime]] = mapped_column(TS)


class Dossier(Base):
    """建档立卡 (N3(2))."""

    __tablename__ = "dossiers"
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    cause: Mapped[str] = mapped_column(Text)
    due_on: Mapped[dt.date] = mapped_column(Date)
    stationed_cadre: Mapped[Optional[str]] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    note: Mapped[Optional[str]] = mapped_column(Text)
    opened_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    closed_at: Mapped[Optional[dt.datetime]] = mapped_column(TS)
    automatic: Mapped[bool] = mapped_column(default=False)


class Incident(Base):
    """重大问题报告 (N3(3))."""

    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    summary: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(10))
    reported_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    ack_due_on: Mapped[dt.date] = mapped_column(Date)
    acknowledged_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[Optional[dt.datetime]] = mapped_column(TS)
    ack_note: Mapped[Optional[str]] = mapped_column(Text)


class Escalation(Base):
    """One rung of the 三包三保 ladder; the unique key makes it fire exactly once."""

    __tablename__ = "escalations"
    __table_args__ = (
        UniqueConstraint("kind", "subject_id", "state", "due_on", "level", name="uq_escalation_rung"),
        Index("ix_escalations_open", "closed_at", "community_id"),
        # the dashboard's open rungs, highest level and oldest first: read in order, stop at the page size
        # (a descending column Alembic cannot autogenerate: the migration runs INDEX_DDL for it)
        Index("ix_escalations_open_order", text("level DESC"), "due_on", "id",
              postgresql_where=text("closed_at IS NULL"), sqlite_where=text("closed_at IS NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # election | complaint | dossier | incident
    subject_id: Mapped[int] = mapped_column(Integer)
    election_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    state: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[dt.date] = mapped_column(Date)
    level: Mapped[int]
    raised_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    notified_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    copied: Mapped[list[Any]] = mapped_column(JSON, default=list)
    closed_at: Mapped[Optional[dt.datetime]] = mapped_column(TS)


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[Optional[str]] = mapped_column(String(300))
    read_at: Mapped[Optional[dt.datetime]] = mapped_column(TS)
    email_status: Mapped[Optional[str]] = mapped_column(String(10))  # pending | sent | failed
    email_attempts: Mapped[int] = mapped_column(default=0)


class Bulletin(Base):
    """情况通报 (N3(3))."""

    __tablename__ = "bulletins"
    __table_args__ = (UniqueConstraint("campaign_id", "region_id", "on_date", name="uq_bulletin_day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    on_date: Mapped[dt.date] = mapped_column(Date)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)


class ReportSubmission(Base):
    """A city's summary report to the province (due 2015-04-10 under liaoning-2014)."""

    __tablename__ = "report_submissions"
    __table_args__ = (UniqueConstraint("campaign_id", "city_id", name="uq_report_submission"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    city_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    submitted_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    submitted_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    narrative: Mapped[str] = mapped_column(Text, default="")


class SchedulerLock(Base):
    """A lock row: on SQLite the scheduler's mutual exclusion (PostgreSQL uses an advisory lock)."""

    __tablename__ = "scheduler_locks"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[dt.datetime] = mapped_column(TS)


class AuditEvent(Base):
    """The append-only history: every fact, seat, candidate, round, certificate, complaint and transition."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_election_id", "election_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(64))
    election_id: Mapped[Optional[int]] = mapped_column(Integer)
    community_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[Optional[str]] = mapped_column(String(20))
    to_state: Mapped[Optional[str]] = mapped_column(String(20))
    trigger: Mapped[Optional[str]] = mapped_column(String(24))
    note: Mapped[Optional[str]] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: SHA-256 chained over the election's rows (workflow/history.py); set by workflow/services/chain.py
    hash: Mapped[Optional[str]] = mapped_column(String(64))


class HistoryDigest(Base):
    """The day's digest of every chain's latest hash (domain.md §14), and what that day's check found."""

    __tablename__ = "history_digests"
    on_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    chains: Mapped[int] = mapped_column(Integer)
    #: the newest history row the digest covers, and the rows the day's check read
    max_id: Mapped[int] = mapped_column(Integer)
    rows_checked: Mapped[int] = mapped_column(Integer, default=0)
    #: [{"election": id|null, "first_bad": id}] of the chains found broken
    broken: Mapped[list[Any]] = mapped_column(JSON, default=list)
    computed_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)


class Attachment(Base):
    """An evidence file of an election (会议记录, 计票单, photographs, signed announcements), stored by content."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_election", "election_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"))
    kind: Mapped[str] = mapped_column(String(16))  # minutes | count_sheet | photo | announcement | other
    step: Mapped[str] = mapped_column(String(20))  # the election's state when the paper was uploaded
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200))
    note: Mapped[Optional[str]] = mapped_column(Text)
    uploaded_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _audit_is_append_only(mapper: Any, connection: Any, target: AuditEvent) -> None:
    raise RuntimeError("the audit log is append-only")


#: database triggers that refuse UPDATE and DELETE on the audit log, per dialect (run by the migration)
AUDIT_TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql",
        "DROP TRIGGER IF EXISTS audit_no_change ON audit_events",
        "CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
    ],
}

#: indexes Alembic's autogenerate skips (expressions, descending columns), per dialect (run by the migration)
INDEX_DDL = {dialect: ["CREATE INDEX IF NOT EXISTS ix_escalations_open_order ON escalations (level DESC, due_on, id) "
                       "WHERE closed_at IS NULL"] for dialect in ("sqlite", "postgresql")}


class Voter(Base):
    """One person on a residents' election's roll (选民登记, domain.md §10); the id number only as hash and mask."""

    __tablename__ = "voters"
    __table_args__ = (
        # one person, one roll per campaign: the key is the id hash while registered, NULL once removed
        UniqueConstraint("campaign_id", "active_key", name="uq_voter_campaign_person"),
        Index("ix_voters_election_name", "election_id", "status", "name"),
        Index("ix_voters_proxy_holder", "proxy_holder_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    name: Mapped[str] = mapped_column(String(100))
    gender: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    id_hash: Mapped[str] = mapped_column(String(64))
    id_mask: Mapped[str] = mapped_column(String(18))
    active_key: Mapped[Optional[str]] = mapped_column(String(64))
    household: Mapped[Optional[str]] = mapped_column(String(60))
    group_name: Mapped[Optional[str]] = mapped_column("group_name", String(60))
    category: Mapped[str] = mapped_column(String(10))  # hukou | resident | worker
    resident_since: Mapped[Optional[dt.date]] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="registered")  # registered | removed
    removed_reason: Mapped[Optional[str]] = mapped_column(Text)
    removed_at: Mapped[Optional[dt.datetime]] = mapped_column(TS)
    proxy_holder_id: Mapped[Optional[int]] = mapped_column(ForeignKey("voters.id"))
    proxy_given_at: Mapped[Optional[dt.datetime]] = mapped_column(TS)
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)


class VoterObjection(Base):
    """申诉 against the published roll (domain.md §10): filed within the rule set's days, decided within its days."""

    __tablename__ = "voter_objections"
    __table_args__ = (Index("ix_voter_objections_open_due", "status", "due_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    kind: Mapped[str] = mapped_column(String(8))  # add | remove | correct
    voter_id: Mapped[Optional[int]] = mapped_column(ForeignKey("voters.id"))
    person: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # voter fields; id number as hash + mask
    reason: Mapped[str] = mapped_column(Text)
    filed_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | upheld | rejected
    decision_note: Mapped[Optional[str]] = mapped_column(Text)
    filed_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    decided_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[Optional[dt.datetime]] = mapped_column(TS)


class Announcement(Base):
    """A published 公告 (domain.md §11): rendered once at publication and kept unchanged, with its hashes."""

    __tablename__ = "announcements"
    __table_args__ = (UniqueConstraint("election_id", "number", name="uq_announcement_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    published_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[Optional[str]] = mapped_column(Text)
    supersedes_id: Mapped[Optional[int]] = mapped_column(ForeignKey("announcements.id"))
    superseded: Mapped[bool] = mapped_column(default=False)
    html: Mapped[str] = mapped_column(Text)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    html_sha256: Mapped[str] = mapped_column(String(64))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    published_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
