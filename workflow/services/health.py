"""What an operator asks of a running system: is the database there, the schema current, a scheduler alive,
the outbox moving (GET /readyz), and the figures /metrics reports from the database."""
from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select, text

from ..db import Database
from ..models import Notification
from .locks import lock_held

#: the lock the running scheduler holds for its lifetime (scheduler/app.py)
SCHEDULER_LOCK = "scheduler"


def outbox_stuck_minutes() -> float:
    """Return after how many minutes a pending e-mail means the outbox is stuck (HUANJIE_OUTBOX_STUCK_MINUTES)."""
    raw = os.environ.get("HUANJIE_OUTBOX_STUCK_MINUTES", "").strip() or "30"
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"HUANJIE_OUTBOX_STUCK_MINUTES must be a number of minutes, got {raw!r}") from None
    return value


@lru_cache(maxsize=1)
def _heads() -> tuple[str, ...]:
    """Return the head revision(s) of the packaged migrations."""
    from alembic.script import ScriptDirectory

    from ..schema import alembic_config
    return tuple(ScriptDirectory.from_config(alembic_config(None)).get_heads())


def outbox_figures(database: Database) -> dict[str, Any]:
    """Return the e-mail outbox's backlog (pending rows) and the age in seconds of its oldest pending row."""
    with database.engine.connect() as conn:
        count, oldest = conn.execute(select(func.count(), func.min(Notification.created_at))
                                     .where(Notification.email_status == "pending")).one()
    age = 0.0
    if oldest is not None:
        oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=dt.timezone.utc)
        age = max(0.0, (dt.datetime.now(dt.timezone.utc) - oldest).total_seconds())
    return {"backlog": int(count), "oldest_seconds": round(age, 1)}


def readiness(database: Database) -> dict[str, Any]:
    """Check the database, the schema revision, the scheduler lock and the outbox; {"ready": bool, "checks": …}."""
    checks: dict[str, dict[str, Any]] = {}
    try:
        with database.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = tuple(r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version")))
    except Exception as exc:  # noqa: BLE001 - any failure means not ready; only the kind is shown
        checks["database"] = {"ok": False, "error": type(getattr(exc, "orig", None) or exc).__name__}
        return {"ready": False, "checks": checks}
    checks["database"] = {"ok": True, "dialect": database.engine.dialect.name}
    heads = _heads()
    checks["schema"] = {"ok": sorted(current) == sorted(heads), "revision": list(current), "head": list(heads)}
    checks["scheduler"] = {"ok": lock_held(database, SCHEDULER_LOCK)}
    outbox = outbox_figures(database)
    limit = outbox_stuck_minutes()
    checks["outbox"] = {"ok": outbox["backlog"] == 0 or outbox["oldest_seconds"] < limit * 60,
                        "stuck_after_minutes": limit, **outbox}
    if database.standby is not None:
        reason = database.standby.unusable_reason()
        # informational: reads fall back to the primary, so a skipped standby does not make the process unready
        checks["standby"] = {"ok": True, "used": reason is None, "skipped_because": reason,
                             "lag_seconds": database.standby.lag}
    return {"ready": all(c["ok"] for c in checks.values()), "checks": checks}
