"""GET /healthz, GET /readyz (database, schema, scheduler lock, outbox) and the restricted GET /metrics."""
from __future__ import annotations

import datetime as dt
from typing import Iterator

import pytest
from sqlalchemy import insert, select, text

from tests.e2e.api_support import Api, api  # noqa: F401
from workflow.models import Notification, User
from workflow.services.health import SCHEDULER_LOCK
from workflow.services.locks import HeldLock


@pytest.fixture
def scheduler_lock(api: Api) -> Iterator[HeldLock]:  # noqa: F811
    lock = HeldLock(api.db, SCHEDULER_LOCK)
    assert lock.renew()
    yield lock
    lock.release()


def test_healthz_answers_without_the_database(api: Api) -> None:  # noqa: F811
    api.db.engine.dispose()
    r = api.app.test_client().get("/healthz")
    assert r.status_code == 200 and r.get_json()["status"] == "ok" and r.headers["X-Request-Id"]


def test_readyz_is_503_until_a_scheduler_holds_its_lock(api: Api) -> None:  # noqa: F811
    client = api.app.test_client()
    r = client.get("/readyz")
    body = r.get_json()
    assert r.status_code == 503 and body["ready"] is False
    assert body["checks"]["scheduler"] == {"ok": False}
    assert body["checks"]["database"]["ok"] and body["checks"]["schema"]["ok"] and body["checks"]["outbox"]["ok"]
    lock = HeldLock(api.db, SCHEDULER_LOCK)
    assert lock.renew()
    try:
        r = client.get("/readyz")
        assert r.status_code == 200 and r.get_json()["ready"] is True
        assert HeldLock(api.db, SCHEDULER_LOCK).renew() is False  # a second scheduler stands by
    finally:
        lock.release()
    assert client.get("/readyz").status_code == 503


def test_readyz_is_503_when_the_schema_is_behind_the_code(api: Api, scheduler_lock: HeldLock) -> None:  # noqa: F811
    with api.db.engine.begin() as conn:
        head = conn.scalar(text("SELECT version_num FROM alembic_version"))
        conn.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    try:
        body = api.app.test_client().get("/readyz").get_json()
        assert body["ready"] is False and body["checks"]["schema"] == {"ok": False, "revision": ["older"],
                                                                         "head": [head]}
    finally:
        with api.db.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :h"), {"h": head})


def test_readyz_is_503_when_the_outbox_is_stuck_and_200_just_before(api: Api, scheduler_lock: HeldLock,  # noqa: F811
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUANJIE_OUTBOX_STUCK_MINUTES", "30")
    with api.db.uow() as w:
        uid = w.session.scalar(select(User.id).where(User.username == "cadre"))
        w.session.execute(insert(Notification).values(
            user_id=uid, subject="s", body="", email_status="pending", email_attempts=0,
            created_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=29)))
    client = api.app.test_client()
    assert client.get("/readyz").status_code == 200
    with api.db.uow() as w:
        w.session.execute(Notification.__table__.update().values(
            created_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=31)))
    body = client.get("/readyz").get_json()
    assert body["ready"] is False and body["checks"]["outbox"]["ok"] is False
    assert body["checks"]["outbox"]["backlog"] == 1 and body["checks"]["outbox"]["oldest_seconds"] > 30 * 60


def test_metrics_are_served_to_loopback_and_refused_to_other_addresses(api: Api) -> None:  # noqa: F811
    client = api.app.test_client()
    assert client.get("/metrics").status_code == 200
    far = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert far.status_code == 403 and far.get_json()["error"] == "forbidden"


def test_metrics_follow_the_address_list_and_the_token(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    client = api.app.test_client()
    monkeypatch.setenv("HUANJIE_METRICS_ALLOW", "10.0.0.0/8, not-an-address")
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.2.3.4"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "11.2.3.4"}).status_code == 403
    assert client.get("/metrics").status_code == 403  # loopback is no longer in the list
    monkeypatch.setenv("HUANJIE_METRICS_TOKEN", "scrape-secret-1")
    remote = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=remote,
                      headers={"Authorization": "Bearer scrape-secret-1"}).status_code == 200
    assert client.get("/metrics", environ_base=remote,
                      headers={"Authorization": "Bearer scrape-secret-2"}).status_code == 403


def sample(body: str, name: str, **labels: str) -> float:
    """The value of one sample of the exposition (0 when absent)."""
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in body.splitlines():
        if line.startswith(name + ("{" if labels else " ")):
            head, value = line.rsplit(" ", 1)
            got = head[len(name):].strip("{}")
            if ",".join(sorted(got.split(","))) == want or (not labels and not got):
                return float(value)
    return 0.0


def test_metrics_count_requests_transitions_guard_failures_and_the_outbox(api: Api) -> None:  # noqa: F811
    client = api.app.test_client()
    before = client.get("/metrics").get_data(as_text=True)
    e = api.world.elections["a_party"]
    refused = api.call("POST", f"/elections/{e}/transitions", "cadre", {"trigger": "open_nomination", "version": 1})
    assert refused.status_code == 409
    unmet = [u["code"] for u in refused.get_json()["unmet"]]
    stale = api.call("POST", f"/elections/{e}/transitions", "admin", {"trigger": "suspend", "version": 99,
                                                                         "note": "test"})
    assert stale.status_code == 409 and stale.get_json()["error"] == "version_conflict"
    fired = api.call("POST", f"/elections/{e}/transitions", "admin", {"trigger": "suspend", "version": 1,
                                                                         "note": "test"})
    assert fired.status_code == 200 and fired.get_json()["state"] == "suspended"
    odd = api.call("POST", f"/elections/{e}/transitions", "cadre", {"trigger": "certify", "version": 2})
    assert odd.status_code == 409 and odd.get_json()["error"] == "invalid_trigger"
    after = client.get("/metrics").get_data(as_text=True)

    def grew(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert grew("huanjie_transitions_total", trigger="open_nomination", outcome="guard_failed") == 1
    assert grew("huanjie_transitions_total", trigger="suspend", outcome="version_conflict") == 1
    assert grew("huanjie_transitions_total", trigger="suspend", outcome="ok") == 1
    assert grew("huanjie_transitions_total", trigger="certify", outcome="invalid_trigger") == 1
    assert unmet and all(grew("huanjie_guard_failures_total", code=c) == 1 for c in unmet)
    route = "/api/v1/elections/<int:election_id>/transitions"
    assert grew("huanjie_http_requests_total", route=route, method="POST", status="409") == 3
    assert grew("huanjie_http_request_duration_seconds_count", route=route, method="POST") == 4
    assert sample(after, "huanjie_outbox_backlog") == 0 and "huanjie_job_queue_length{queue=\"outbox\"}" in after
    assert "huanjie_db_pool_connections_in_use" in after and "huanjie_sweep_duration_seconds_bucket" in after
