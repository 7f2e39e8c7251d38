"""The scheduler: APScheduler jobs that only call workflow services (overdue sweep, daily bulletin, e-mail outbox).

`huanjie scheduler` runs it alone (BlockingScheduler); `huanjie serve` runs it in-process through
start_background(database). A database lock keeps two processes from sweeping at once.
"""
from .app import build_scheduler, run_blocking, start_background

__all__ = ["build_scheduler", "run_blocking", "start_background"]
