"""Build the APScheduler scheduler: explicit job ids, replace_existing, coalesce, one instance, generous grace."""
from __future__ import annotations

import datetime as dt
import logging
import os
import signal
from typing import Any, Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from workflow.clock import SHANGHAI
from workflow.db import Database

from workflow.services.health import SCHEDULER_LOCK
from workflow.services.locks import HeldLock

from .jobs import bulletin_job, history_job, outbox_job, sweep_job

log = logging.getLogger("huanjie.scheduler")
COMMON = {"replace_existing": True, "coalesce": True, "max_instances": 1}


def sweep_minutes() -> float:
    """Return the sweep interval in minutes (HUANJIE_SWEEP_MINUTES, default 15)."""
    raw = os.environ.get("HUANJIE_SWEEP_MINUTES", "").strip() or "15"
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"HUANJIE_SWEEP_MINUTES must be a number of minutes, got {raw!r}") from None
    if not 0 < value <= 24 * 60:
        raise ValueError("HUANJIE_SWEEP_MINUTES must be between 0 and 1440")
    return value


def bulletin_hour() -> int:
    """Return the hour (Asia/Shanghai) of the daily bulletin (HUANJIE_BULLETIN_HOUR, default 7)."""
    raw = os.environ.get("HUANJIE_BULLETIN_HOUR", "").strip() or "7"
    if not raw.isdigit() or not 0 <= int(raw) <= 23:
        raise ValueError("HUANJIE_BULLETIN_HOUR must be an hour from 0 to 23")
    return int(raw)


def history_hour() -> int:
    """Return the hour (Asia/Shanghai) of the daily history check (HUANJIE_HISTORY_HOUR, default 1, before the bulletin)."""
    raw = os.environ.get("HUANJIE_HISTORY_HOUR", "").strip() or "1"
    if not raw.isdigit() or not 0 <= int(raw) <= 23:
        raise ValueError("HUANJIE_HISTORY_HOUR must be an hour from 0 to 23")
    return int(raw)


def build_scheduler(scheduler: BaseScheduler, database: Database) -> BaseScheduler:
    """Add the sweep, bulletin, history-check and outbox jobs to a scheduler (not started)."""
    minutes = sweep_minutes()
    start = dt.datetime.now(dt.timezone.utc)
    scheduler.add_job(sweep_job, IntervalTrigger(seconds=round(minutes * 60, 3)), id="sweep", args=[database],
                      next_run_time=start, misfire_grace_time=max(int(minutes * 60), 300), **COMMON)
    scheduler.add_job(bulletin_job, CronTrigger(hour=bulletin_hour(), minute=0, timezone=SHANGHAI), id="bulletin",
                      args=[database], misfire_grace_time=6 * 3600, **COMMON)
    scheduler.add_job(bulletin_job, "date", id="bulletin-startup", args=[database], kwargs={"only_missing": True},
                      run_date=start + dt.timedelta(seconds=30), misfire_grace_time=3600, **COMMON)
    # yesterday's rows are checked once a day, before the bulletin prints the digest
    scheduler.add_job(history_job, CronTrigger(hour=history_hour(), minute=0, timezone=SHANGHAI), id="history",
                      args=[database], misfire_grace_time=6 * 3600, **COMMON)
    scheduler.add_job(outbox_job, IntervalTrigger(minutes=1), id="outbox", args=[database],
                      misfire_grace_time=300, **COMMON)
    return scheduler


#: how often the scheduler lock is renewed (or taken, by a scheduler that started second)
LOCK_RENEW_SECONDS = 60


def _renew(lock: HeldLock) -> None:
    try:
        was = lock.held
        if lock.renew() and not was:
            log.info("this scheduler now holds the scheduler lock")
    except Exception:  # noqa: BLE001 - the database is away: /readyz shows it; try again next time
        log.exception("cannot renew the scheduler lock")


def hold_scheduler_lock(scheduler: BaseScheduler, database: Database) -> HeldLock:
    """Take the lock that tells /readyz a scheduler runs, and renew it with a job.

    A second scheduler does not hold it; its jobs still run under their own locks (sweep, outbox, bulletin), so
    nothing is done twice, and it takes over the lock when the first one stops.
    """
    lock = HeldLock(database, SCHEDULER_LOCK)
    _renew(lock)
    if not lock.held:
        log.info("another scheduler holds the scheduler lock; this one stands by")
    scheduler.add_job(_renew, IntervalTrigger(seconds=LOCK_RENEW_SECONDS), id="scheduler-lock", args=[lock],
                      misfire_grace_time=LOCK_RENEW_SECONDS, **COMMON)
    return lock


def _release(lock: HeldLock) -> None:
    try:
        lock.release()
    except Exception:  # noqa: BLE001 - the database is away; the lease or the connection ends it anyway
        log.warning("could not release the scheduler lock")


def start_background(database: Database) -> Callable[[], None]:
    """Start the jobs in a background thread of this process; return a function that stops them."""
    scheduler = build_scheduler(BackgroundScheduler(timezone=SHANGHAI, daemon=True), database)
    lock = hold_scheduler_lock(scheduler, database)
    scheduler.start()
    log.info("scheduler started in-process (sweep every %s min)", sweep_minutes())

    def stop() -> None:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        _release(lock)
    return stop


def run_blocking(database: Database) -> None:
    """Run the jobs in the foreground until SIGTERM or SIGINT."""
    scheduler = build_scheduler(BlockingScheduler(timezone=SHANGHAI), database)
    lock = hold_scheduler_lock(scheduler, database)

    def stop(_signum: int, _frame: Any) -> None:
        scheduler.shutdown(wait=False)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        scheduler.start()
    finally:
        _release(lock)
