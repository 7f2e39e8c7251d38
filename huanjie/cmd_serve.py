"""`huanjie serve`: the web UI and the JSON API on waitress (one process, the scheduler in it unless told not to)
or on gunicorn (`--workers N`: N processes, no scheduler)."""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any, Callable, Optional

import click

from .access_log import AccessLog
from .base import database, fail, main

def start_scheduler(db: Any) -> Optional[Callable[[], None]]:
    """Start the in-process scheduler (sweep, bulletin, outbox); return its stop function."""
    from scheduler import start_background
    try:
        stop: Callable[[], None] = start_background(db)
    except ValueError as exc:  # a bad HUANJIE_SWEEP_MINUTES or HUANJIE_BULLETIN_HOUR
        fail(str(exc))
    return stop


def prepare_process() -> None:
    """JSON logs on standard error and the metrics folder shared by every process (before any metric exists)."""
    from workflow import logs, metrics
    from workflow.config import instance_dir
    logs.configure()
    folder = os.environ.get("HUANJIE_METRICS_DIR", "").strip()
    metrics.use_multiprocess_dir(Path(folder) if folder else instance_dir() / "metrics")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 512), help="threads per process")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 256),
              help="web processes; more than one runs gunicorn (Linux) and no scheduler")
@click.option("--scheduler/--no-scheduler", "with_scheduler", default=None,
              help="run the sweep and bulletins in this process (default: yes with one worker, no with several)")
@click.option("--pid", "pid_file", default=None, type=click.Path(dir_okay=False),
              help="gunicorn: write the master's pid here (for HUP and USR2)")
@click.option("--access-log/--no-access-log", default=True, show_default=True,
              help="the plain access line on standard output (the JSON request log on stderr is always written)")
@click.option("--graceful-timeout", default=30, show_default=True, type=click.IntRange(1, 3600),
              help="gunicorn: seconds a worker may take to finish its requests on a reload or stop")
def serve_cmd(host: str, port: int, threads: int, workers: int, with_scheduler: Optional[bool],
              pid_file: Optional[str], access_log: bool, graceful_timeout: int) -> None:
    """Serve the web UI and the JSON API (upgrading the schema first)."""
    if workers > 1 and with_scheduler:
        fail("the scheduler runs in one process only: with --workers above 1 run `huanjie scheduler` beside them")
    if workers > 1 and sys.platform == "win32":
        fail("several worker processes need gunicorn, which does not run on Windows: serve with --workers 1")
    prepare_process()
    if workers > 1:
        from .gunicorn_app import serve_gunicorn
        serve_gunicorn(host, port, workers, threads, pid_file, access_log, graceful_timeout)
        return
    serve_waitress(host, port, threads, with_scheduler is not False, access_log)


def serve_waitress(host: str, port: int, threads: int, with_scheduler: bool, access_log: bool) -> None:
    """One process on waitress, the scheduler in it unless told not to."""
    from waitress import create_server

    from web import create_app
    from workflow.schema import upgrade

    db = database()
    upgrade(db.engine)
    app = create_app({"DATABASE": db})
    try:
        server = create_server(AccessLog(app) if access_log else app, host=host, port=port, threads=threads,
                               ident="huanjie")
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    stop = start_scheduler(db) if with_scheduler else None

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
