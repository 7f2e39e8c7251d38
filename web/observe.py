"""Per request: a request id (X-Request-Id, error pages, every log line), one JSON log line, latency metrics,
and read-your-writes (a user who just wrote reads from the primary for a few seconds)."""
from __future__ import annotations

import logging
import math
import re
import time
import uuid
from typing import Any, Callable, Iterable, Iterator

from flask import Flask, g, request

from workflow import metrics
from workflow.config import read_your_writes_seconds
from workflow.db import pin_primary, unpin
from workflow.logs import REQUEST_ID

log = logging.getLogger("huanjie.request")

#: an id handed in by the proxy (nginx's $request_id) is kept when it looks like one
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
#: the cookie holding when this browser last wrote (seconds since the epoch): no personal data
WROTE_COOKIE = "huanjie_wrote"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def request_id() -> str:
    """Return the id of the current request (empty outside a request)."""
    return str(request.environ.get("huanjie.request_id", "")) if request else ""


class RequestObserver:
    """WSGI middleware around the Flask app: request id, the log line and the metrics of every request."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        rid = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        environ["huanjie.request_id"] = rid
        REQUEST_ID.set(rid)
        started = time.perf_counter()
        status = ["500"]

        def observed_start_response(status_line: str, headers: Any, exc_info: Any = None) -> Any:
            status[0] = status_line.split(" ", 1)[0]
            headers = [h for h in headers if h[0].lower() != "x-request-id"] + [("X-Request-Id", rid)]
            return start_response(status_line, headers, exc_info) if exc_info else start_response(status_line, headers)

        try:
            body = self.app(environ, observed_start_response)
        except BaseException:
            _record(environ, "500", started)
            raise
        return _Observed(body, lambda: _record(environ, status[0], started))


class _Observed:
    """The response body; the request is recorded once it has been sent (or closed unsent), exactly once."""

    def __init__(self, body: Iterable[bytes], done: Callable[[], None]) -> None:
        self.body, self._done = body, done
        self.recorded = False

    def __iter__(self) -> Iterator[bytes]:
        yield from self.body
        self.done()

    def done(self) -> None:
        if not self.recorded:
            self.recorded = True
            self._done()

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close:
                close()
        finally:
            self.done()


def _record(environ: dict[str, Any], status: str, started: float) -> None:
    seconds = time.perf_counter() - started
    route = environ.get("huanjie.route") or "unmatched"
    method = environ.get("REQUEST_METHOD", "-")
    m = metrics.metrics()
    m.request_seconds.labels(route, method).observe(seconds)
    m.requests.labels(route, method, status).inc()
    # no query string, body, header or cookie: those are where passwords, tokens and id numbers travel
    log.info("%s %s %s", method, route, status, extra={
        "request_id": environ.get("huanjie.request_id"), "method": method, "route": route,
        "path": environ.get("PATH_INFO", ""), "status": int(status) if status.isdigit() else status,
        "duration_ms": round(seconds * 1000, 1), "user_id": environ.get("huanjie.user_id")})
    REQUEST_ID.set("")


def install(app: Flask) -> None:
    """Wrap the app in the observer and register the hooks that tell it the route and the user."""
    app.wsgi_app = RequestObserver(app.wsgi_app)  # type: ignore[method-assign]

    @app.before_request
    def _read_your_writes() -> None:
        from web.context import db
        if db().standby is None:
            return
        try:
            wrote = float(request.cookies.get(WROTE_COOKIE, "0"))
        except ValueError:
            wrote = 0.0
        if 0 <= time.time() - wrote < read_your_writes_seconds():
            g.huanjie_pin = pin_primary(True)

    @app.after_request
    def _remember_write(response: Any) -> Any:
        from web.context import db
        if db().standby is not None and request.method not in SAFE_METHODS:
            window = read_your_writes_seconds()
            response.set_cookie(WROTE_COOKIE, f"{time.time():.3f}", max_age=math.ceil(window), httponly=True,
                                samesite="Lax", secure=bool(app.config.get("SESSION_COOKIE_SECURE")))
        return response

    @app.teardown_request
    def _annotate(_exc: Any) -> None:
        token = g.pop("huanjie_pin", None)
        if token is not None:
            unpin(token)
        rule = request.url_rule
        request.environ["huanjie.route"] = rule.rule if rule is not None else "unmatched"
        request.environ["huanjie.user_id"] = _user_id()


def _user_id() -> Any:
    """The id of the user this request ran as (API token or session), never loading anyone for it."""
    actor = g.get("huanjie_actor")
    if actor is not None:
        return getattr(actor, "user_id", None)
    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        return getattr(user, "id", None)
    return None
