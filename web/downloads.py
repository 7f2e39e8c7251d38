"""Every file download of the UI and the API: one Content-Disposition (RFC 6266 / RFC 5987) and no caching."""
from __future__ import annotations

from typing import IO, Any, Union

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
