"""Every failure under /api/ as the contract's JSON: {"error": CODE, "message": ..., "fields"/"unmet"}."""
from __future__ import annotations

import sys
from typing import Any, Callable

from flask import Flask, Response, jsonify, request
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from workflow.errors import DomainError, Duplicate, GuardsFailed, InvalidRequest

from .messages import flatten

#: HTTP status of each domain error code; an area may add its own codes here
STATUS: dict[str, int] = {
    "invalid_request": 400, "unauthenticated": 401, "invalid_credentials": 401, "forbidden": 403,
    "not_found": 404, "invalid_trigger": 409, "version_conflict": 409, "guard_failed": 409,
    "invalid_state": 409, "duplicate": 409,
}
HTTP_CODES = {400: "invalid_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 406: "not_acceptable", 413: "payload_too_large",
              415: "unsupported_media_type", 429: "too_many_requests", 503: "unavailable"}
HTTP_TEXT = {
    400: ("The request is invalid", "请求内容有误"),
    401: ("Missing or invalid token", "未登录或令牌无效"),
    403: ("Your role may not do this", "您的角色无权进行此操作"),
    404: ("Not found", "未找到"),
    405: ("This method is not allowed here", "此地址不支持该请求方法"),
    413: ("The request is too large", "请求内容过大"),
    503: ("The database is unavailable", "数据库暂时不可用"),
}


def is_api_request() -> bool:
    """Return whether the current request addresses the JSON API."""
    return request.path == "/api" or request.path.startswith("/api/")


def _lang() -> str:
    from web.context import lang
    try:
        return lang()
    except Exception:  # noqa: BLE001 - a broken Accept-Language must not hide the real error
        return "zh"


def json_error(status: int, code: str, message: str, **extra: Any) -> Response:
    """Build an error response of the contract."""
    response = jsonify({"error": code, "message": message, **extra})
    response.status_code = status
    return response


def domain_error_response(exc: DomainError) -> Response:
    """Map a domain error to its status and body (fields for 400, unmet for guard_failed)."""
    lang = _lang()
    status = getattr(exc, "status", None) or STATUS.get(exc.code, 400)
    extra: dict[str, Any] = {}
    if isinstance(exc, InvalidRequest):
        extra["fields"] = exc.fields(lang)
    if isinstance(exc, GuardsFailed):
        extra["unmet"] = [u.as_dict(lang) for u in exc.unmet]
    response = json_error(status, exc.code, exc.message(lang), **extra)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="huanjie"'
    return response


def http_error_response(exc: HTTPException) -> Response:
    """Map a routing or protocol error (404, 405, 413, ...) to JSON, keeping its headers (Allow)."""
    status = exc.code or 500
    code = HTTP_CODES.get(status, "http_error")
    en, zh = HTTP_TEXT.get(status, (exc.name, exc.name))
    extra: dict[str, Any] = {"fields": {"body": zh if _lang() == "zh" else en}} if status == 400 else {}
    response = json_error(status, code, en if _lang() == "en" else zh, **extra)
    for name, value in exc.get_headers():
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response


def is_unique_violation(exc: IntegrityError) -> bool:
    """Return whether a database error is a unique constraint (a race two requests both lost)."""
    return getattr(exc.orig, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(exc.orig)


def api_error_response(exc: Exception) -> Response | None:
    """Return the JSON response of a known failure, or None for a bug."""
    if isinstance(exc, DomainError):
        return domain_error_response(exc)
    if isinstance(exc, ValidationError):
        return domain_error_response(InvalidRequest(flatten(exc.messages)))
    if isinstance(exc, HTTPException) and (exc.code or 0) >= 400:
        return http_error_response(exc)
    if isinstance(exc, IntegrityError) and is_unique_violation(exc):
        # two requests created the same code at the same moment: the loser's answer is the contract's
        return domain_error_response(Duplicate())
    if isinstance(exc, OperationalError):
        # the database is down or busy beyond its timeout: a retryable answer rather than a 500
        return http_error_response(ServiceUnavailable())
    return None


def install(app: Flask) -> None:
    """Route failures of /api/ paths to JSON before any other handler; other paths are left to the UI.

    Blueprint error handlers cannot see routing errors (an unknown /api/ path matches no blueprint), and an
    app-wide 404 handler registered later by the UI would take /api/ paths too: so the two entry points of
    Flask's error handling are wrapped, and only /api/ requests are diverted.
    """
    handle_user: Callable[[Exception], Any] = app.handle_user_exception
    handle_bug: Callable[[Exception], Any] = app.handle_exception

    def handle_user_exception(exc: Exception) -> Any:
        if is_api_request():
            response = api_error_response(exc)
            if response is not None:
                return response
        return handle_user(exc)

    def handle_exception(exc: Exception) -> Any:
        propagate = app.config.get("PROPAGATE_EXCEPTIONS")
        if propagate is None:
            propagate = app.testing or app.debug
        if is_api_request() and not propagate:
            app.log_exception(sys.exc_info())
            # the traceback went to the log; the client gets the request id to quote, nothing of the failure
            from web.observe import request_id
            return json_error(500, "internal_error", "服务器内部错误" if _lang() == "zh" else "Internal server error",
                              request_id=request_id())
        return handle_bug(exc)

    app.handle_user_exception = handle_user_exception  # type: ignore[method-assign]
    app.handle_exception = handle_exception  # type: ignore[method-assign]
