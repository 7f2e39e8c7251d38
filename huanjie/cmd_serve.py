"""`huanjie serve`: the web UI and the JSON API on waitress, with the scheduler in-process unless told not to."""
from __future__ import annotations

import logging
import signal
import sys
import time
from typing import Any, Callable, Iterable, Iterator, Optional

import click

from .cli import database, fail, main

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


def start_scheduler(db: Any) -> Optional[Callable[[], None]]:
    """Start the in-process scheduler (sweep, bulletin, outbox); return its stop function."""
    from scheduler import start_background
    try:
        stop: Callable[[], None] = start_background(db)
    except ValueError as exc:  # a bad HUANJIE_SWEEP_MINUTES or HUANJIE_BULLETIN_HOUR
        fail(str(exc))
    return stop


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 512))
@click.option("--no-scheduler", is_flag=True, help="do not run the overdue sweep and bulletins in this process")
def serve_cmd(host: str, port: int, threads: int, no_scheduler: bool) -> None:
    """Serve the web UI and the JSON API (upgrading the schema first)."""
    from waitress import create_server

    from web import create_app
    from workflow.schema import upgrade

    db = database()
    upgrade(db.engine)
    app = create_app({"DATABASE": db})
    try:
        server = create_server(AccessLog(app), host=host, port=port, threads=threads, ident="huanjie")
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    stop = None if no_scheduler else start_scheduler(db)

    def terminate(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    actual_port = getattr(server, "effective_port", port)
    click.echo(f"huanjie serving on http://{host}:{actual_port} ({threads} threads, scheduler "
               f"{'off' if stop is None else 'on'}; database {db.engine.url.render_as_string(hide_password=True)})")
    sys.stdout.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        if stop is not None:
            stop()
        server.close()
        db.dispose()
        click.echo("huanjie stopped")
