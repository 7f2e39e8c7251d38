"""Structured logs: one JSON object per line, with the request id of the request being served.

Whatever is logged passes through `redact` first: an 18-character id number becomes its masked form, a bearer
token, a password or a session cookie becomes "***". The code logs no personal data on purpose; this is the net
below it (an exception message that quotes a value, a library that logs a header).
"""
from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import sys
from typing import Any, Optional, TextIO

from .identity import mask_id_number

#: the request id of the request this thread serves ("" outside a request)
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("huanjie_request_id", default="")

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?![0-9A-Za-z])")
_SECRETS = [
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+"), r"\1 ***"),
    (re.compile(r"(?i)((?:password|passwd|token|secret|session|csrf_token)[\"']?\s*[=:]\s*[\"']?)[^\s\"'&,;}]+"),
     r"\1***"),
]
#: attributes every LogRecord has; anything else passed as `extra=` goes into the JSON object
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


def redact(text: str) -> str:
    """Mask id numbers and hide tokens, passwords and session values in a log text."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON line: time, level, logger, message, request id, extra fields, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        if request_id:
            out["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in out and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["traceback"] = self.formatException(record.exc_info)
        elif record.stack_info:
            out["traceback"] = self.formatStack(record.stack_info)
        return redact(json.dumps(out, ensure_ascii=False, default=str))


def configure(stream: Optional[TextIO] = None, level: int = logging.INFO) -> logging.Handler:
    """Send every log record of this process to `stream` (standard error) as JSON lines; return the handler."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "huanjie_json", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.huanjie_json = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return handler
