"""Signing in (API tokens and UI alike) and UI sessions checked on the server, on the wall clock.

Failed sign-ins are counted per (account, client address) and per client address, each with progressive
waits: a stranger who guesses wrong passwords for someone else's name only slows down that stranger's own
address, never the owner signing in from another. Every refusal reads the same (unknown user, wrong password,
inactive account, waiting): nothing tells a caller which names exist.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..auth import Actor
from ..db import UnitOfWork
from ..errors import InvalidRequest, NotFound
from ..models import ApiToken, LoginThrottle, Region, UiSession, User
from ..passwords import MIN_LENGTH, check_password, hash_password
from .tokens import _aware, wall_now  # one wall clock for tokens, sign-ins and sessions


@dataclass(frozen=True)
class ThrottlePolicy:
    """Free failures before waits start, per key kind; each further failure doubles the wait, up to a cap."""

    account_free: int = 5      # per (account, address)
    address_free: int = 30     # per address, over every account (a shared office NAT stays usable)
    first_wait_s: float = 1.0
    max_wait_s: float = 15 * 60
    forget_after_s: float = 24 * 3600  # a key without failures this long starts again from zero

    @classmethod
    def from_env(cls) -> "ThrottlePolicy":
        """Return the policy, with HUANJIE_LOGIN_ACCOUNT_FREE / HUANJIE_LOGIN_ADDRESS_FREE overrides."""
        def number(name: str, default: int) -> int:
            raw = os.environ.get(name, "").strip()
            return int(raw) if raw.isdigit() and int(raw) > 0 else default
        return cls(account_free=number("HUANJIE_LOGIN_ACCOUNT_FREE", cls.account_free),
                   address_free=number("HUANJIE_LOGIN_ADDRESS_FREE", cls.address_free))

    def wait(self, failures: int, free: int) -> float:
        """Return the seconds a key must wait after this many failures."""
        if failures < free:
            return 0.0
        return min(self.max_wait_s, self.first_wait_s * 2 ** (failures - free))


_dummy_hash: Optional[str] = None


def _keys(username: str, address: str) -> tuple[str, str]:
    name = hashlib.sha256(username.strip().lower().encode("utf-8", "surrogatepass")).hexdigest()[:40]
    address = (address or "unknown")[:64]
    return f"a:{name}:{address}", f"ip:{address}"


def _blocked(s: Session, keys: tuple[str, ...], stamp: dt.datetime) -> bool:
    rows = s.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys))).all()
    return any((_aware(r.blocked_until) or stamp) > stamp for r in rows)


def _count_failure(s: Session, key: str, free: int, policy: ThrottlePolicy, stamp: dt.datetime) -> None:
    """Add one failure to a key and set the wait it earned (an insert race is retried as an update)."""
    for _attempt in range(2):
        row = s.scalars(select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()).first()
        if row is None:
            try:
                with s.begin_nested():
                    s.add(LoginThrottle(key=key, failures=1, last_failure_at=stamp,
                                        blocked_until=_until(stamp, policy.wait(1, free))))
                return
            except IntegrityError:
                continue
        last = _aware(row.last_failure_at) or stamp
        failures = 1 if (stamp - last).total_seconds() > policy.forget_after_s else row.failures + 1
        row.failures, row.last_failure_at = failures, stamp
        row.blocked_until = _until(stamp, policy.wait(failures, free))
        return


def _until(stamp: dt.datetime, seconds: float) -> Optional[dt.datetime]:
    return stamp + dt.timedelta(seconds=seconds) if seconds else None


def authenticate(uow: UnitOfWork, username: str, password: str, address: str,
                 policy: Optional[ThrottlePolicy] = None) -> Optional[User]:
    """Check a sign-in from a client address; None = refused (whatever the reason: one answer for all).

    The failure counts are written in the caller's unit of work: commit it before answering the refusal.
    """
    global _dummy_hash
    policy = policy or ThrottlePolicy.from_env()
    s = uow.session
    stamp = wall_now()
    account_key, address_key = _keys(username, address)
    if _blocked(s, (account_key, address_key), stamp):
        _dummy_hash = _dummy_hash or hash_password(secrets.token_hex(8))
        check_password(_dummy_hash, password)  # the same cost as a real check: waiting is not observable
        return None
    user = s.scalars(select(User).where(User.username == username)).first()
    if user is None or not user.active:
        _dummy_hash = _dummy_hash or hash_password(secrets.token_hex(8))
        check_password(_dummy_hash, password)
        ok = False
    else:
        ok = check_password(user.password_hash, password)
    if not ok:
        _count_failure(s, account_key, policy.account_free, policy, stamp)
        _count_failure(s, address_key, policy.address_free, policy, stamp)
        return None
    s.execute(delete(LoginThrottle).where(LoginThrottle.key == account_key))
    return user


# ---------------------------------------------------------------- UI sessions
def _sid_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8", "surrogatepass")).hexdigest()


def open_session(uow: UnitOfWork, user: User, hours: float = 12) -> str:
    """Open a server-side session for a signed-in user; return its secret id (kept in the signed cookie)."""
    sid = secrets.token_urlsafe(32)
    stamp = wall_now()
    uow.session.add(UiSession(user_id=user.id, sid_hash=_sid_hash(sid), auth_version=user.auth_version or 0,
                              created_at=stamp, expires_at=stamp + dt.timedelta(hours=hours)))
    uow.session.flush()
    return sid


def session_user(s: Session, user_id: int, sid: str) -> Optional[User]:
    """Return the user of a live session (not signed out, not expired, same password), or None."""
    row = s.execute(select(User).join(UiSession, UiSession.user_id == User.id).where(
        UiSession.sid_hash == _sid_hash(sid), UiSession.user_id == user_id, UiSession.revoked_at.is_(None),
        UiSession.expires_at > wall_now(), UiSession.auth_version == User.auth_version,
        User.active.is_(True))).scalars().first()
    return row


def end_session(uow: UnitOfWork, sid: str) -> int:
    """Sign out: end one session on the server; return how many ended (0 or 1)."""
    result = uow.session.execute(update(UiSession).where(UiSession.sid_hash == _sid_hash(sid),
                                                         UiSession.revoked_at.is_(None)).values(revoked_at=wall_now()))
    return int(result.rowcount or 0)


def end_user_sessions(s: Session, user_id: int) -> None:
    """End every UI session of a user (a password change)."""
    s.execute(update(UiSession).where(UiSession.user_id == user_id, UiSession.revoked_at.is_(None))
              .values(revoked_at=wall_now()))


@dataclass(frozen=True)
class Profile:
    """What the UI keeps of a signed-in user for one request."""

    user_id: int
    username: str
    display_name: str
    role: str
    language: str
    scope_name: Optional[str]
    actor: Actor


def profile_of(s: Session, user: User) -> Profile:
    """Return the profile of a user (its actor, and the name of its scope)."""
    from .reads import actor_for
    region = s.get(Region, user.scope_id) if user.scope_id else None
    return Profile(user.id, user.username, user.display_name or user.username, user.role, user.language or "zh",
                   region.name if region else None, actor_for(s, user))


def session_profile(uow: UnitOfWork, user_id: int, sid: str) -> Optional[Profile]:
    """Return the profile of a live UI session, or None (signed out, expired, password changed, inactive)."""
    user = session_user(uow.session, user_id, sid)
    return profile_of(uow.session, user) if user is not None else None


def sign_in(uow: UnitOfWork, username: str, password: str, address: str, hours: float = 12,
            ) -> Optional[tuple[Profile, str]]:
    """Check a UI sign-in and open its server-side session; None = refused (commit the uow either way)."""
    user = authenticate(uow, username, password, address)
    if user is None:
        return None
    return profile_of(uow.session, user), open_session(uow, user, hours)


def change_own_password(uow: UnitOfWork, user_id: int, current: str, new: str, hours: float = 12,
                        ) -> Optional[tuple[Profile, str]]:
    """Change one's password after checking the current one; every other session and token ends.

    Returns the profile and a fresh session id for the caller, or None when the current password is wrong.
    """
    user = uow.session.get(User, user_id)
    if user is None or not check_password(user.password_hash, current):
        return None
    change_password(uow, user_id, new)
    return profile_of(uow.session, user), open_session(uow, user, hours)


def change_password(uow: UnitOfWork, user_id: int, new_password: str) -> None:
    """Set a new password; every API token and UI session of the user dies with the old one."""
    s = uow.session
    if not isinstance(new_password, str) or len(new_password) < MIN_LENGTH:
        raise InvalidRequest.one("password", f"must be at least {MIN_LENGTH} characters",
                                 f"至少{MIN_LENGTH}个字符")
    user = s.get(User, user_id)
    if user is None:
        raise NotFound()
    user.password_hash = hash_password(new_password)
    user.password_changed_at = wall_now()
    user.auth_version = (user.auth_version or 0) + 1  # a counter: two changes within a second both count
    for token in s.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))):
        token.revoked_at = wall_now()
    end_user_sessions(s, user.id)
    s.flush()
