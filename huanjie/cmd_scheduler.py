"""`huanjie scheduler` (the scheduler process) and `huanjie sweep [--at TIMESTAMP]` (one sweep now)."""
from __future__ import annotations

from typing import Optional

import click

from .base import database, fail, main


@main.command("scheduler")
def scheduler_cmd() -> None:
    """Run the scheduler alone: overdue sweep, daily bulletin, e-mail outbox."""
    from scheduler import run_blocking
    from scheduler.app import bulletin_hour, sweep_minutes
    try:
        minutes, hour = sweep_minutes(), bulletin_hour()
    except ValueError as exc:
        fail(str(exc))
    from .cmd_serve import prepare_process
    prepare_process()  # JSON logs; sweep metrics in the folder the web processes' /metrics reads
    click.echo(f"scheduler: sweep every {minutes:g} min, bulletin daily at {hour:02d}:00 Asia/Shanghai", err=True)
    run_blocking(database())


@main.command("sweep")
@click.option("--at", "at", default=None, metavar="TIMESTAMP",
              help="sweep as if at this time (ISO 8601; without an offset, Asia/Shanghai)")
def sweep_cmd(at: Optional[str]) -> None:
    """Run one overdue sweep now (or as if at TIMESTAMP) and print what it raised and closed."""
    from scheduler.jobs import outbox_job, stage_hook
    from workflow.services.sweep import parse_instant, sweep_overdue
    instant = parse_instant(at)  # bad input: InvalidRequest → one line, exit 2
    db = database()
    result = sweep_overdue(db, at=instant, on_stage=stage_hook())
    click.echo(f"raised {result['raised']}, closed {result['closed']}"
               f" (dossiers opened {result['dossiers']}, notifications {result['notifications']})")
    outbox_job(db)
