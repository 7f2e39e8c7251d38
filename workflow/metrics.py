"""Prometheus metrics of the engine, the sweep, the outbox and the connection pools.

The metrics are created on first use, not at import: prometheus_client decides at its own import whether it
runs in multiprocess mode (PROMETHEUS_MULTIPROC_DIR, set by `huanjie serve` and `huanjie scheduler` before any
metric exists), and every worker process must make that decision the same way.
"""
from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterable, Optional

_lock = threading.Lock()
_metrics: Optional[SimpleNamespace] = None

#: request latencies: a page takes 10-300 ms, an export seconds
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30)
#: sweep durations are seconds to minutes (a cold national sweep takes about 5 s)
SWEEP_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300)


def _create() -> SimpleNamespace:
    from prometheus_client import Counter, Gauge, Histogram
    return SimpleNamespace(
        request_seconds=Histogram("huanjie_http_request_duration_seconds", "Time to answer a request, by route",
                                  ["route", "method"], buckets=HTTP_BUCKETS),
        requests=Counter("huanjie_http_requests_total", "Requests answered, by route and status",
                         ["route", "method", "status"]),
        transitions=Counter("huanjie_transitions_total", "Transitions asked for, by trigger and outcome",
                            ["trigger", "outcome"]),
        guard_failures=Counter("huanjie_guard_failures_total", "Unmet guards of refused transitions, by guard code",
                               ["code"]),
        sweep_seconds=Histogram("huanjie_sweep_duration_seconds", "Duration of one overdue sweep",
                                buckets=SWEEP_BUCKETS),
        rungs_raised=Counter("huanjie_sweep_rungs_raised_total", "Escalation rungs raised by sweeps"),
        outbox_failures=Counter("huanjie_outbox_send_failures_total", "E-mails of the outbox that failed to send"),
        pool_in_use=Gauge("huanjie_db_pool_connections_in_use", "Pooled database connections checked out",
                          ["database"], multiprocess_mode="livesum"),
        pool_size=Gauge("huanjie_db_pool_size", "Configured pool size (steady connections) of each process",
                        ["database"], multiprocess_mode="livesum"),
        reads=Counter("huanjie_read_units_total", "Read-only units of work, by where they ran", ["target"]),
        standby_skipped=Counter("huanjie_read_standby_skipped_total",
                                "Read-only units of work sent to the primary although a standby is configured",
                                ["reason"]),
    )


def metrics() -> SimpleNamespace:
    """Return the process's metrics, creating them on first use."""
    global _metrics
    if _metrics is None:
        with _lock:
            if _metrics is None:
                _metrics = _create()
    return _metrics


def transition(trigger: str, outcome: str, known: Iterable[str] = ()) -> None:
    """Count a transition asked for; a trigger outside `known` is counted as "other" (no unbounded labels)."""
    metrics().transitions.labels(trigger if trigger in known else "other", outcome).inc()


def guard_failures(codes: Iterable[str]) -> None:
    """Count each unmet guard of a refused transition."""
    counter = metrics().guard_failures
    for code in codes:
        counter.labels(code).inc()


def use_multiprocess_dir(path: Path) -> Path:
    """Put this process's metrics in a folder shared with the other processes (before any metric exists).

    Files of processes that are gone are removed first (their live gauges must not count); counters restart
    from zero then, which Prometheus treats as a counter reset.
    """
    path.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(path))
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    if sys.platform == "win32":  # os.kill(pid, 0) would end the process there; one process needs no cleanup
        return folder
    for file in folder.glob("*.db"):
        pid = file.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            file.unlink(missing_ok=True)
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_exited(pid: int) -> None:
    """Drop the live gauges of a worker process that exited (gunicorn's child_exit)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess
        multiprocess.mark_process_dead(pid)


def exposition(extra: Any = None) -> tuple[bytes, str]:
    """Return the text exposition of every process's metrics (plus an extra collector) and its content type."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
    metrics()  # a scrape before any request still lists the metrics, at zero
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    if extra is not None:
        own = CollectorRegistry()
        own.register(extra)
        body += generate_latest(own)
    return body, CONTENT_TYPE_LATEST
