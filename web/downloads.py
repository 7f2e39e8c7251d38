"""Every file download of the UI and the API: one Content-Disposition (RFC 6266 / RFC 5987), never cached.

Report and structure files go through send_download / attachment; evidence files through download_response,
which also keeps browsers from rendering, sniffing or running them.
"""
from __future__ import annotations

from typing import IO, Any, Iterator, Union

from flask import Response, send_file

from workflow.text import content_disposition


def send_download(content: Union[bytes, str, IO[bytes]], mimetype: str, filename: str) -> Response:
    """Send content as an attachment named filename (cleaned, ASCII fallback plus UTF-8 filename*)."""
    if isinstance(content, (bytes, str)):
        response = Response(content, mimetype=mimetype)
    else:
        response = send_file(content, mimetype=mimetype, max_age=0, etag=False, conditional=False)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "no-store"
    return response


def attachment(filename: str) -> dict[str, Any]:
    """Return the headers of an attachment (for views building their own Response)."""
    return {"Content-Disposition": content_disposition(filename), "Cache-Control": "no-store"}


def download_response(meta: dict[str, Any], chunks: Iterator[bytes]) -> Response:
    """Return the file as `Content-Disposition: attachment`, `nosniff`, in a sandbox, never cached."""
    response = Response(chunks, mimetype=meta["content_type"], direct_passthrough=True)
    response.headers["Content-Disposition"] = content_disposition(meta["filename"])
    response.headers["Content-Length"] = str(meta["size"])
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
