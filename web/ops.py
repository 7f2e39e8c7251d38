"""Operators' endpoints: GET /healthz (the process answers), GET /readyz (ready for traffic), GET /metrics."""
from __future__ import annotations

import hmac
import ipaddress
import os
import time
from typing import Any, Iterator

from flask import Blueprint, Response, jsonify, request

from workflow.metrics import exposition
from workflow.services.health import outbox_figures, readiness

bp = Blueprint("ops", __name__)
STARTED = time.time()


@bp.get("/healthz")
def healthz() -> Any:
    """The process is alive and answers (no database access)."""
    return jsonify({"status": "ok", "pid": os.getpid(), "uptime_seconds": round(time.time() - STARTED, 1)})


@bp.get("/readyz")
def readyz() -> Any:
    """Ready for traffic: database reachable, schema at head, a scheduler holds its lock, the outbox moves."""
    from web.context import db
    result = readiness(db())
    response = jsonify(result)
    response.status_code = 200 if result["ready"] else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def metrics_allowed() -> bool:
    """Whether this request may read /metrics: a matching bearer token, or an address of the allowed list."""
    token = os.environ.get("HUANJIE_METRICS_TOKEN", "").strip()
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return True
    raw = os.environ.get("HUANJIE_METRICS_ALLOW", "127.0.0.0/8,::1").strip()
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    for item in filter(None, (part.strip() for part in raw.split(","))):
        try:
            if address in ipaddress.ip_network(item, strict=False):
                return True
        except ValueError:
            continue  # a malformed entry allows nobody
    return False


class DatabaseFigures:
    """A collector of what lives in the database, read at scrape time: the outbox backlog and the job queue."""

    def __init__(self, database: Any) -> None:
        self.database = database

    def collect(self) -> Iterator[Any]:
        """Yield the gauges (nothing when the database is unreachable: the scrape still answers)."""
        from prometheus_client.core import GaugeMetricFamily
        try:
            outbox = outbox_figures(self.database)
        except Exception:  # noqa: BLE001 - /readyz reports the database; /metrics keeps the process figures
            return
        yield GaugeMetricFamily("huanjie_outbox_backlog", "E-mails waiting in the outbox", value=outbox["backlog"])
        yield GaugeMetricFamily("huanjie_outbox_oldest_pending_seconds", "Age of the oldest e-mail waiting",
                                value=outbox["oldest_seconds"])
        queue = GaugeMetricFamily("huanjie_job_queue_length", "Work waiting for the scheduler, by queue",
                                  labels=["queue"])
        queue.add_metric(["outbox"], outbox["backlog"])
        yield queue


@bp.get("/metrics")
def metrics_view() -> Any:
    """Prometheus text exposition of every process's metrics (restricted: HUANJIE_METRICS_ALLOW / _TOKEN)."""
    from web.context import db
    if not metrics_allowed():
        return jsonify({"error": "forbidden", "message": "metrics are restricted to the configured addresses"}), 403
    body, content_type = exposition(DatabaseFigures(db()))
    return Response(body, content_type=content_type)
