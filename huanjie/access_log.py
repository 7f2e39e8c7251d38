"""The plain access line per request on standard output, for waitress and gunicorn alike."""
from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

access_log = logging.getLogger("huanjie.access")


class AccessLog:
    """A WSGI wrapper writing one line per request to standard output (common log format + milliseconds)."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        if not access_log.handlers:
            handler = logging.StreamHandler(sys.stdout)
            handler.setFormatter(logging.Formatter("%(message)s"))
            access_log.addHandler(handler)
            access_log.setLevel(logging.INFO)
            access_log.propagate = False

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        status: list[str] = ["-"]

        def recording_start_response(status_line: str, headers: Any, exc_info: Any = None) -> Any:
            status[0] = status_line.split(" ", 1)[0]
            return start_response(status_line, headers, exc_info) if exc_info else start_response(status_line, headers)

        body = self.app(environ, recording_start_response)
        return _Logged(body, environ, status, started)


class _Logged:
    """The response body, counted as it is sent; the line is written when the server closes it."""

    def __init__(self, body: Iterable[bytes], environ: dict[str, Any], status: list[str], started: float) -> None:
        self.body, self.environ, self.status, self.started, self.size = body, environ, status, started, 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.body:
            self.size += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close:
                close()
        finally:
            env = self.environ
            path = env.get("PATH_INFO", "")
            if env.get("QUERY_STRING"):
                path += "?" + env["QUERY_STRING"]
            ms = (time.perf_counter() - self.started) * 1000
            stamp = time.strftime("%d/%b/%Y:%H:%M:%S %z")
            access_log.info('%s - - [%s] "%s %s %s" %s %s %.1fms', env.get("REMOTE_ADDR", "-"), stamp,
                            env.get("REQUEST_METHOD", "-"), path, env.get("SERVER_PROTOCOL", "-"),
                            self.status[0], self.size, ms)
