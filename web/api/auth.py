"""Tokens (sign in, sign out, revoke a user's tokens), who am I, and a database health check."""
from __future__ import annotations

from typing import Any

from flask import current_app
from marshmallow import fields, validate
from sqlalchemy import text as sql

from workflow.models import Region
from workflow.services import login, tokens

from ..client import client_address
from .core import actor, bearer_token, body, bp, load, op, public, uow
from .schemas import In, Out, Timestamp, text


class TokenIn(In):
    username = text(200, required=True)
    password = fields.String(required=True, validate=validate.Length(1, 1024))


class TokenOut(Out):
    token = fields.String(required=True, metadata={"description": "send as `Authorization: Bearer <token>`"})
    expires_at = Timestamp(required=True)


class RevokedOut(Out):
    revoked = fields.Integer(required=True)


class MeOut(Out):
    username = fields.String(required=True)
    role = fields.String(required=True)
    scope = fields.String(required=True, allow_none=True)
    scope_level = fields.String(required=True, allow_none=True)
    language = fields.String(required=True)


class PingOut(Out):
    ok = fields.Boolean(required=True)
    database = fields.String(required=True)


@bp.post("/auth/token")
@public
@bp.output(TokenOut)
@body(TokenIn)
@op("Auth", 400, 401, public_=True)
def create_token() -> dict[str, Any]:
    """Get a bearer token for a username and password."""
    data = load(TokenIn)
    with uow() as w:
        user = login.authenticate(w, data["username"], data["password"], client_address())
        issued = tokens.create_token(w, user, current_app.config.get("TOKEN_HOURS", 12)) if user else None
    if issued is None:  # raised after the commit so that the failed attempt is counted
        raise tokens.InvalidCredentials()
    return {"token": issued[0], "expires_at": issued[1]}


@bp.delete("/auth/token")
@bp.output(RevokedOut)
@op("Auth")
def revoke_own_token() -> dict[str, Any]:
    """Sign out: revoke the token of this request."""
    actor()
    with uow() as w:
        return {"revoked": tokens.revoke_token(w, bearer_token() or "")}


@bp.get("/me")
@bp.output(MeOut)
@op("Auth")
def me() -> dict[str, Any]:
    """Return the caller: username, role and scope."""
    who = actor()
    with uow(write=False) as w:
        region = w.session.get(Region, who.scope_id) if who.scope_id else None
    return {"username": who.username, "role": who.role, "scope": region.code if region else None,
            "scope_level": who.scope_level, "language": who.language}


@bp.delete("/users/<username>/tokens")
@bp.output(RevokedOut)
@op("Users", 403, 404)
def revoke_user_tokens(username: str) -> dict[str, Any]:
    """Revoke every token of a user (admin; supervisor for users inside its scope)."""
    with uow() as w:
        return {"revoked": tokens.revoke_user_tokens(w, actor(), username)}


@bp.get("/ping-db")
@public
@bp.output(PingOut)
@op("Health", 503, public_=True, summary="Health check: one SELECT on the database")
def ping_db() -> dict[str, Any]:
    """Run one SELECT on the database (public health check)."""
    from werkzeug.exceptions import ServiceUnavailable
    try:
        with uow(write=False) as w:
            w.session.execute(sql("SELECT 1")).scalar()
            name = w.session.get_bind().dialect.name
    except Exception:  # noqa: BLE001 - any database failure means unavailable
        raise ServiceUnavailable() from None
    return {"ok": True, "database": name}

