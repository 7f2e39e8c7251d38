"""Contract tests: escalations, the sweep on demand, dossiers, incidents, the inbox and bulletins."""
from __future__ import annotations

import csv
import io

import pytest

from tests.e2e.api_support import Api, api, assert_error  # noqa: F401

ESCALATION_FIELDS = {"id", "kind", "election", "subject", "community", "state", "level", "due", "raised_at",
                     "notified", "copied", "closed_at"}


def test_the_admin_sweep_raises_once_and_the_escalations_are_listed_exactly_as_the_contract(api: Api) -> None:
    r = api.post("/admin/sweep", {"at": "2015-01-09T10:00:00+08:00"})
    assert r.status_code == 200 and (r.get_json()["raised"], r.get_json()["closed"]) == (12, 0)
    again = api.post("/admin/sweep", {"at": "2015-01-09T10:00:00+08:00"}).get_json()
    assert (again["raised"], again["closed"]) == (0, 0)
    page = api.get("/escalations?open=true&per_page=5").get_json()
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (12, 1, 5, 5)
    item = page["items"][0]
    assert set(item) >= ESCALATION_FIELDS
    assert item["kind"] == "election" and item["election"] == item["subject"] and item["closed_at"] is None
    assert item["due"] == "2014-12-31" and item["raised_at"].startswith("2015-01-09T02:00:00")
    mine = api.get("/escalations?open=true&region=210102&level=2").get_json()["items"]
    assert {i["notified"] for i in mine} == {"county"} and len(mine) == 4
    assert all(sorted(i["copied"]) == ["province", "street"] for i in mine)
    nobody = api.get("/escalations?region=210103001", who="othercadre").get_json()["items"]
    assert len(nobody) == 4 and {i["notified"] for i in nobody} == {None}
    assert api.get("/escalations?open=false").get_json()["total"] == 0
    election = api.get(f"/elections/{api.election('a_party')}/escalations", who="cadre").get_json()
    assert [i["level"] for i in election] == [2, 1]


def test_the_sweep_is_for_admins_and_its_input_is_checked(api: Api) -> None:
    assert_error(api.post("/admin/sweep", {"at": None}, who="province"), 403, "forbidden")
    assert_error(api.post("/admin/sweep", {"at": None}, who=None), 401, "unauthenticated")
    assert "at" in assert_error(api.post("/admin/sweep", {"at": "next tuesday"}), 400, "invalid_request")["fields"]
    assert "at" in assert_error(api.post("/admin/sweep", {"at": 20150101}), 400, "invalid_request")["fields"]
    assert "when" in assert_error(api.post("/admin/sweep", {"when": None}), 400, "invalid_request")["fields"]
    assert api.post("/admin/sweep", {}).status_code == 200  # now: years after the 2014 due dates


@pytest.mark.parametrize("query", ["open=maybe", "level=4", "kind=village", "page=0", "per_page=501"])
def test_bad_escalation_filters_are_invalid_requests(api: Api, query: str) -> None:
    assert_error(api.get(f"/escalations?{query}"), 400, "invalid_request")


def test_a_region_outside_the_callers_scope_is_not_found(api: Api) -> None:
    assert_error(api.get("/escalations?region=210103", who="cadre"), 404, "not_found")
    assert_error(api.get("/dossiers?region=210103", who="cadre"), 404, "not_found")


def test_dossiers_are_opened_listed_and_resolved_and_escalate_past_their_time_limit(api: Api) -> None:
    new = {"cause": "党组织软弱涣散，可能无法按期换届", "due_on": "2014-12-20", "stationed_cadre": "王驻点"}
    r = api.post("/communities/210102001001/dossiers", new, who="cadre")
    assert r.status_code == 201
    dossier = r.get_json()
    assert (dossier["community"], dossier["status"], dossier["due_on"], dossier["stationed_cadre"]) == (
        "210102001001", "open", "2014-12-20", "王驻点")
    assert_error(api.post("/communities/210102001001/dossiers", new, who="inspector"), 403, "forbidden")
    assert_error(api.post("/communities/210103001001/dossiers", new, who="cadre"), 404, "not_found")
    fields = assert_error(api.post("/communities/210102001001/dossiers", {"due_on": "2014-02-30", "z": 1},
                                   who="cadre"), 400, "invalid_request")["fields"]
    assert set(fields) == {"cause", "due_on", "z"}
    api.post("/admin/sweep", {"at": "2014-12-21"})
    [rung] = api.get("/escalations?open=true&kind=dossier").get_json()["items"]
    assert (rung["subject"], rung["election"], rung["state"], rung["notified"]) == (dossier["id"], None, "open", "cadre")
    listed = api.get("/dossiers?open=true&region=210102001", who="street").get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == dossier["id"]
    assert_error(api.patch(f"/dossiers/{dossier['id']}", {"status": "gone"}, who="cadre"), 400, "invalid_request")
    assert_error(api.patch(f"/dossiers/{dossier['id']}", {"status": "resolved"}, who="othercadre"), 404, "not_found")
    assert_error(api.patch(f"/dossiers/{dossier['id']}", {"status": "resolved"}, who="observer"), 403, "forbidden")
    done = api.patch(f"/dossiers/{dossier['id']}", {"status": "resolved", "note": "已配齐班子"}, who="street")
    assert done.status_code == 200 and done.get_json()["status"] == "resolved" and done.get_json()["closed_at"]
    assert api.get("/dossiers?open=true").get_json()["total"] == 0
    assert api.get("/escalations?open=true&kind=dossier").get_json()["total"] == 0
    assert_error(api.get("/dossiers/999999"), 404, "not_found")


def test_an_incident_is_reported_acknowledged_once_by_a_county_supervisor_and_escalates_until_then(api: Api) -> None:
    r = api.post("/communities/210102001001/incidents", {"summary": "选举现场发生冲突", "severity": "major"},
                 who="cadre")
    assert r.status_code == 201
    incident = r.get_json()
    assert (incident["ack_due_on"], incident["acknowledged"], incident["reported_by"]) == ("2014-12-11", False, "cadre")
    assert api.get("/notifications", who="county").get_json()["total"] == 1
    assert_error(api.post("/communities/210102001001/incidents", {"summary": "x", "severity": "low"}, who="cadre"),
                 400, "invalid_request")
    assert_error(api.post("/communities/210102001001/incidents", {"summary": "x", "severity": "major"},
                          who="observer"), 403, "forbidden")
    api.post("/admin/sweep", {"at": "2014-12-12"})
    assert api.get("/escalations?open=true&kind=incident").get_json()["total"] == 1
    path = f"/incidents/{incident['id']}/acknowledge"
    assert_error(api.post(path, {"note": "收到"}, who="street"), 403, "forbidden")
    assert_error(api.post(path, {"note": "收到"}, who="cadre"), 403, "forbidden")
    assert_error(api.post(path, {"note": "收到"}, who="othercadre"), 404, "not_found")
    assert_error(api.post(path, {"note": 5}, who="county"), 400, "invalid_request")
    done = api.post(path, {"note": "已派工作组"}, who="county")
    assert done.status_code == 200 and done.get_json()["acknowledged_by"] == "county"
    assert {e["body"] for e in done.get_json()["elections"]} == {"party", "residents"}
    assert_error(api.post(path, {"note": "again"}, who="city"), 409, "invalid_state")
    assert api.get("/escalations?open=true&kind=incident").get_json()["total"] == 0
    assert api.get("/incidents?open=true").get_json()["total"] == 0
    assert api.get("/incidents?open=false&region=210102").get_json()["total"] == 1


def test_the_inbox_lists_and_marks_read(api: Api) -> None:
    api.post("/admin/sweep", {"at": "2015-01-01"})
    inbox = api.get("/notifications?unread=true", who="cadre").get_json()
    assert inbox["total"] == 1 and "督办提醒" in inbox["items"][0]["subject"]
    english = api.get("/notifications", who="cadre", lang="en").get_json()["items"][0]
    assert english["read"] is False
    assert_error(api.post("/notifications/read", {"ids": ["x"]}, who="cadre"), 400, "invalid_request")
    r = api.post("/notifications/read", {"ids": None}, who="cadre").get_json()
    assert r == {"marked": 1, "unread": 0}
    assert api.get("/notifications?unread=true", who="cadre").get_json()["total"] == 0


def test_bulletins_are_written_listed_in_scope_and_downloadable(api: Api) -> None:
    api.post("/admin/sweep", {"at": "2015-01-09"})
    assert_error(api.post("/admin/bulletins", {}, who="province"), 403, "forbidden")
    written = api.post("/admin/bulletins", {"date": "2015-01-09"}).get_json()["written"]
    assert written == 4  # the province, the city and its two counties
    listed = api.get("/bulletins", who="county").get_json()
    assert [b["region"] for b in listed["items"]] == ["210102"]
    province = next(b for b in api.get("/bulletins").get_json()["items"] if b["region"] == "210000")
    full = api.get(f"/bulletins/{province['id']}", who="province").get_json()
    data = full["data"]
    assert data["overdue"]["total"] == 6 and data["bodies"]["party"]["states"]["preparation"] == 3
    assert data["escalations"]["level_2"] == 6 and data["dossiers"]["open"] == 0
    assert_error(api.get(f"/bulletins/{province['id']}", who="county"), 404, "not_found")
    r = api.get(f"/bulletins/{province['id']}?format=csv", who="province")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "情况通报" and any(row and row[0] == "210102001001" for row in rows)
    assert_error(api.get(f"/bulletins/{province['id']}?format=pdf"), 400, "invalid_request")


def test_the_new_routes_are_in_the_openapi_document(api: Api) -> None:
    paths = api.app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/escalations", "/api/v1/admin/sweep", "/api/v1/communities/{code}/dossiers",
                 "/api/v1/dossiers/{dossier_id}", "/api/v1/incidents/{incident_id}/acknowledge",
                 "/api/v1/notifications", "/api/v1/bulletins/{bulletin_id}"):
        assert path in paths, path
