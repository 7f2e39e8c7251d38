"""Streaming an evidence file as a download that no browser renders, sniffs or runs (API and UI)."""
from __future__ import annotations

from typing import Any, Iterator
from urllib.parse import quote

from flask import Response


def download_response(meta: dict[str, Any], chunks: Iterator[bytes]) -> Response:
    """Return the file as `Content-Disposition: attachment`, `nosniff`, in a sandbox, never cached."""
    name = meta["filename"]
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in name) or "file"
    response = Response(chunks, mimetype=meta["content_type"], direct_passthrough=True)
    response.headers["Content-Disposition"] = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    response.headers["Content-Length"] = str(meta["size"])
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
