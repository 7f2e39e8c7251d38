"""API bearer tokens: random secrets kept only as SHA-256 hashes; dead on expiry, revocation or a new password."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any, Optional

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.orm import Session

from ..auth import Actor, may_administer, require
from ..db import UnitOfWork
from ..errors import DomainError, NotFound
from ..models import ApiToken, Region, User
from .common import audit, region_scope



class InvalidCredentials(DomainError):
    """Wrong username or password (or a throttled or inactive account: never say which; services.login)."""

    code = "invalid_credentials"
    zh = "用户名或密码错误"
    en = "Wrong username or password"


class Unauthenticated(DomainError):
    """No bearer token, or one that is unknown, expired or revoked."""

    code = "unauthenticated"
    zh = "未登录或令牌无效，请先获取令牌"
    en = "Missing or invalid token; get one from /api/v1/auth/token"


def wall_now() -> dt.datetime:
    """Return the wall-clock time in UTC: tokens and lockouts follow real time, never the frozen domain clock."""
    return dt.datetime.now(dt.timezone.utc)


def _aware(value: Optional[dt.datetime]) -> Optional[dt.datetime]:
    """SQLite hands back naive UTC timestamps; make them comparable."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value


def token_hash(token: str) -> str:
    """Return the SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(uow: UnitOfWork, user: User, hours: float = 12) -> tuple[str, dt.datetime]:
    """Create a token for a user; return the secret (shown once) and its expiry."""
    token = secrets.token_urlsafe(32)
    stamp = wall_now()
    expires = stamp + dt.timedelta(hours=hours)
    uow.session.add(ApiToken(user_id=user.id, token_hash=token_hash(token), created_at=stamp, expires_at=expires))
    uow.session.flush()
    return token, expires


#: built once: the per-request check is one indexed query (token_hash is unique)
_LIVE_TOKEN = (select(User.id, User.username, User.role, User.scope_id, Region.level, User.language)
               .select_from(ApiToken).join(User, User.id == ApiToken.user_id)
               .outerjoin(Region, Region.id == User.scope_id)
               .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None),
                      ApiToken.expires_at > bindparam("stamp", type_=ApiToken.expires_at.type),
                      User.active.is_(True), User.password_changed_at <= ApiToken.created_at))


def actor_for_token(s: Session | Connection, token: str) -> Optional[Actor]:
    """Return the actor of a live token in one indexed query, or None (s: a session or a connection)."""
    row = s.execute(_LIVE_TOKEN, {"token_hash": token_hash(token), "stamp": wall_now()}).first()
    if row is None:
        return None
    uid, username, role, scope_id, level, language = row
    return Actor(uid, username, role, scope_id, level, language or "zh")


def revoke_token(uow: UnitOfWork, token: str) -> int:
    """Revoke one token (sign out); return how many were revoked (0 or 1)."""
    result = uow.session.execute(update(ApiToken).where(
        ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None)).values(revoked_at=wall_now()))
    return int(result.rowcount or 0)


def find_user(s: Session, actor: Actor, username: Any) -> User:
    """Load a user the actor may see: admins see all; others only users scoped inside their own scope."""
    stmt = select(User).where(User.username == str(username))
    if not actor.sees_everything():
        stmt = stmt.join(Region, Region.id == User.scope_id).where(region_scope(actor))
    user = s.scalars(stmt).first()
    if user is None:
        raise NotFound()
    return user


def revoke_user_tokens(uow: UnitOfWork, actor: Actor, username: Any) -> int:
    """Revoke every live token of a user (admin, or a supervisor for users inside its scope)."""
    s = uow.session
    user = find_user(s, actor, username)
    require(may_administer(actor))
    result = s.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=wall_now()))
    count = int(result.rowcount or 0)
    audit(s, actor, "tokens_revoked", data={"username": user.username, "revoked": count})
    return count
