"""The jobs: each opens its own units of work, holds its database lock and never raises into APScheduler."""
from __future__ import annotations

import logging
import os
import sys
import time
from typing import Any, Callable, Optional

from workflow.db import Database
from workflow.services.bulletins import generate_bulletins
from workflow.services.integrity import daily_check
from workflow.services.notifications import deliver_pending
from workflow.services.locks import db_lock
from workflow.services.sweep import try_sweep

log = logging.getLogger("huanjie.scheduler")


def stage_hook() -> Optional[Callable[[str], None]]:
    """Report each sweep stage on stderr and pause there when HUANJIE_SWEEP_STAGE_PAUSE is set (crash tests)."""
    raw = os.environ.get("HUANJIE_SWEEP_STAGE_PAUSE", "").strip()
    if not raw:
        return None
    pause = float(raw)

    def hook(name: str) -> None:
        print(f"sweep stage: {name}", file=sys.stderr, flush=True)
        time.sleep(pause)
    return hook


def sweep_job(database: Database) -> Optional[dict[str, int]]:
    """Run one sweep unless another process holds the lock; then send the mail it queued."""
    try:
        result = try_sweep(database, on_stage=stage_hook())
    except Exception:  # noqa: BLE001 - a failed run is logged and retried at the next interval
        log.exception("sweep failed")
        return None
    if result is None:
        log.info("sweep skipped: another process holds the sweep lock")
        return None
    log.info("sweep raised %(raised)s closed %(closed)s", result)
    outbox_job(database)
    return result


def bulletin_job(database: Database, only_missing: bool = False) -> int:
    """Write today's bulletins (at start-up only when today's are missing)."""
    try:
        with db_lock(database, "bulletin", wait=0) as got:
            if not got:
                return 0
            if only_missing and _have_today(database):
                return 0
            made = generate_bulletins(database)
            log.info("bulletins written: %s", made)
            return made
    except Exception:  # noqa: BLE001
        log.exception("bulletin failed")
        return 0


def history_job(database: Database) -> Optional[dict[str, Any]]:
    """Check the history written since yesterday's check and keep today's digest; a broken chain raises an incident."""
    try:
        with db_lock(database, "history", wait=0) as got:
            if not got:
                return None
            with database.uow() as uow:
                result = daily_check(uow.session)
            if result["broken"]:
                log.error("history check: %s broken chain(s): %s", len(result["broken"]), result["broken"])
            else:
                log.info("history check: %s rows, digest %s", result["rows_checked"], result["digest"])
            return result
    except Exception:  # noqa: BLE001 - a failed run is logged and retried the next day (and by the bulletin)
        log.exception("history check failed")
        return None


def _have_today(database: Database) -> bool:
    from sqlalchemy import func, select

    from workflow.clock import today
    from workflow.models import Bulletin
    with database.uow(write=False) as uow:
        return bool(uow.session.scalar(select(func.count()).select_from(Bulletin).where(Bulletin.on_date == today())))


def outbox_job(database: Database) -> dict[str, Any]:
    """Send pending e-mail (no-op without HUANJIE_SMTP_URL)."""
    try:
        return deliver_pending(database)
    except Exception:  # noqa: BLE001
        log.exception("outbox failed")
        return {}
