"""`huanjie serve --workers N`: N web processes under a gunicorn master (gthread workers), no scheduler.

Signals to the master (gunicorn's): HUP starts new workers with the configuration and code read afresh and
lets the old ones finish their requests (graceful reload, the socket stays open throughout); USR2 starts a new
master beside the old one on the same socket, after which TERM to the old master retires it gracefully (the
binary upgrade); TERM stops gracefully, INT/QUIT at once; TTIN/TTOU add or remove a worker.
"""
from __future__ import annotations

import os
import socket
import sys
from typing import Any, Callable, Optional

import click
from gunicorn.glogging import Logger

from .cli import database, fail


def _check_port(host: str, port: int) -> None:
    """Fail with one line if the address is taken (gunicorn would retry for seconds and log a traceback)."""
    if os.environ.get("GUNICORN_FD") or os.environ.get("LISTEN_FDS"):
        return  # a re-executed master (USR2) or socket activation: the socket is inherited
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


def _worker_app() -> Callable[..., Any]:
    """The WSGI app of one worker process: its own engine and pool (nothing is shared across the fork)."""
    from web import create_app
    from workflow.db import Database
    return create_app({"DATABASE": Database()})


def serve_gunicorn(host: str, port: int, workers: int, threads: int, pid_file: Optional[str], access_log: bool,
                   graceful_timeout: int) -> None:
    """Upgrade the schema, then run the gunicorn master until it is told to stop."""
    from gunicorn.app.base import BaseApplication

    from workflow.metrics import process_exited
    from workflow.schema import upgrade

    _check_port(host, port)
    db = database()
    upgrade(db.engine)
    url = db.engine.url.render_as_string(hide_password=True)
    db.dispose()  # the master keeps no connection: each worker opens its own pool

    def on_exit(_server: Any, worker: Any) -> None:
        process_exited(worker.pid)

    def when_ready(_server: Any) -> None:
        click.echo(f"huanjie serving on http://{host}:{port} ({workers} workers of {threads} threads, gunicorn; "
                   f"scheduler off; database {url})")
        sys.stdout.flush()

    options: dict[str, Any] = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers, "threads": threads, "worker_class": "gthread",
        "graceful_timeout": graceful_timeout, "timeout": max(60, graceful_timeout), "keepalive": 5,
        "pidfile": pid_file, "proc_name": "huanjie", "child_exit": on_exit, "when_ready": when_ready,
        "accesslog": None, "errorlog": "-", "loglevel": "info",
        # signals are the control interface (systemd sends them); one socket path per user would collide
        "control_socket_disable": True,
        "logger_class": "huanjie.gunicorn_app.JsonGunicornLogger",
    }

    class Master(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Callable[..., Any]:
            app = _worker_app()
            if access_log:
                from .cmd_serve import AccessLog
                return AccessLog(app)
            return app

    Master().run()
    click.echo("huanjie stopped")


class JsonGunicornLogger(Logger):  # type: ignore[misc]
    """gunicorn's own messages (booting, reloading, worker exits) as the same JSON lines as the app's."""

    def setup(self, cfg: Any) -> None:
        """Set gunicorn's handlers up, then give them the JSON format."""
        super().setup(cfg)
        from workflow.logs import JsonFormatter
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonFormatter())
