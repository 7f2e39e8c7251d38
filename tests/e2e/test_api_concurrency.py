"""24 simultaneous requests fire the same trigger with the same version through a real server."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterator

import pytest
import requests
from sqlalchemy import func, select

from tests.e2e.api_support import Api, api  # noqa: F401
from workflow.models import AuditEvent

PREP_PARTY = ("leadership_group_formed", "work_plan_approved", "staff_trained", "publicity_done",
              "funding_secured", "org_setup_confirmed")
CLIENTS = 24


@pytest.fixture
def server(api: Api) -> Iterator[str]:
    """Serve the app with waitress on a free port in a background thread."""
    from waitress import create_server
    srv: Any = create_server(api.app, host="127.0.0.1", port=0, threads=CLIENTS)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.effective_port}/api/v1"
    srv.close()
    srv.task_dispatcher.shutdown()
    thread.join(timeout=10)


def test_one_of_many_simultaneous_identical_transitions_wins_and_leaves_one_audit_row(api: Api, server: str) -> None:
    e = api.election("a_party")
    assert api.put(f"/elections/{e}/seats", {"member": 5}, who="cadre").status_code == 200
    assert api.patch(f"/elections/{e}/facts", {"facts": {k: True for k in PREP_PARTY}}).status_code == 200
    tokens = [api.token_for(who) for who in ("cadre", "street", "county", "admin")]
    barrier = threading.Barrier(CLIENTS)

    def fire(i: int) -> tuple[int, dict[str, Any]]:
        with requests.Session() as session:
            session.get(f"{server}/ping-db", timeout=30)  # connect before the start line
            barrier.wait(timeout=30)
            r = session.post(f"{server}/elections/{e}/transitions", json={"trigger": "open_nomination", "version": 1},
                             headers={"Authorization": f"Bearer {tokens[i % len(tokens)]}"}, timeout=60)
            return r.status_code, r.json()

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(fire, range(CLIENTS)))
    statuses = sorted(status for status, _ in results)
    assert statuses.count(200) == 1, results
    assert statuses.count(409) == CLIENTS - 1, results
    assert {body["error"] for status, body in results if status == 409} <= {"version_conflict", "invalid_trigger"}
    winner = next(body for status, body in results if status == 200)
    assert winner == {"id": e, "state": "nomination", "version": 2}
    with api.db.uow(write=False) as w:
        rows = w.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.election_id == e, AuditEvent.action == "transition"))
    assert rows == 1
    assert api.get(f"/elections/{e}").get_json()["version"] == 2
