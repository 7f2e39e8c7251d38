"""`huanjie serve --workers N`: N web processes under a gunicorn master (gthread workers), no scheduler.

Signals to the master (gunicorn's): HUP forks new workers from the loaded app (environment and configuration
read afresh) and lets the old ones finish their requests, the socket open throughout; USR2 starts a new master
with the new code beside the old one on the same socket, after which TERM to the old master retires it and its
workers gracefully (the code upgrade); TERM stops gracefully, INT/QUIT at once; TTIN/TTOU add or remove a worker.
"""
from __future__ import annotations

import os
import socket
import sys
from typing import Any, Callable, Optional

import click
from gunicorn.glogging import Logger

from .base import database, fail


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


def _loaded_app(access_log: bool) -> tuple[Callable[..., Any], Any]:
    """The WSGI app, loaded once in the master (preload: a worker forks ready to serve) and its database."""
    from web import create_app
    from workflow.db import Database
    database = Database()
    app: Callable[..., Any] = create_app({"DATABASE": database})
    if access_log:
        from .access_log import AccessLog
        app = AccessLog(app)
    return app, database


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

    loaded: dict[str, Any] = {}

    def on_exit(_server: Any, worker: Any) -> None:
        process_exited(worker.pid)

    def post_fork(_server: Any, _worker: Any) -> None:
        # the master never connects, but a pooled connection must never be shared across a fork: start empty
        database = loaded.get("database")
        if database is not None:
            database.engine.dispose(close=False)
            if database.standby is not None:
                database.standby.engine.dispose(close=False)

    def when_ready(_server: Any) -> None:
        click.echo(f"huanjie serving on http://{host}:{port} ({workers} workers of {threads} threads, gunicorn; "
                   f"scheduler off; database {url})")
        sys.stdout.flush()

    options: dict[str, Any] = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers, "threads": threads, "worker_class": "gthread",
        "graceful_timeout": graceful_timeout, "timeout": max(60, graceful_timeout), "keepalive": 5,
        "pidfile": pid_file, "proc_name": "huanjie", "child_exit": on_exit, "when_ready": when_ready,
        # loaded once in the master, so a HUP forks new workers that serve at once (no gap while they boot);
        # new code is loaded by a new master (USR2), which starts beside the old one
        "preload_app": True, "post_fork": post_fork,
        "accesslog": None, "errorlog": "-", "loglevel": "info",
        # signals are the control interface (systemd sends them); one socket path per user would collide
        "control_socket_disable": True,
        "logger_class": "huanjie.gunicorn_app.JsonGunicornLogger",
    }

    class Master(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Callable[..., Any]:
            app, loaded["database"] = _loaded_app(access_log)
            return app

        def run(self) -> None:
            from gunicorn.arbiter import Arbiter
            arbiter = Arbiter(self)
            arbiter.START_CTX["args"] = reexec_args()
            arbiter.run()

    Master().run()
    click.echo("huanjie stopped")


def reexec_args() -> list[str]:
    """The command a USR2 re-executes: `python -m huanjie …` when started as a module (its path is no script)."""
    first = os.path.basename(sys.argv[0])
    if first in ("cli.py", "__main__.py"):
        return [sys.executable, "-m", "huanjie", *sys.argv[1:]]
    return [sys.executable, *sys.argv]


class JsonGunicornLogger(Logger):
    """gunicorn's own messages (booting, reloading, worker exits) as the same JSON lines as the app's."""

    def setup(self, cfg: Any) -> None:
        """Set gunicorn's handlers up, then give them the JSON format."""
        super().setup(cfg)
        from workflow.logs import JsonFormatter
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonFormatter())
