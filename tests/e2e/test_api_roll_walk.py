"""A 2026 residents' election run end to end under national-2026 over the API, and what never leaves the server.

Roll, publication, an objection, candidates and their list, the meeting, voting with the computed expected
voters, the result announcement as a PDF whose text (pdftotext) holds the names and no id number; every
response of the walk and the server's log are searched for the full id numbers.
"""
from __future__ import annotations

import datetime as dt
import io
import logging
import shutil
import subprocess
from typing import Any

import openpyxl
import pytest

from tests.e2e.roll_support import ELECTION_DAY, Roll, person_body, roll  # noqa: F401

PDFTOTEXT = shutil.which("pdftotext")


def pdf_text(data: bytes, tmp_path: Any) -> str:
    assert PDFTOTEXT, "pdftotext (poppler-utils) is required"
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], check=True, capture_output=True).stdout.decode()


def test_a_residents_election_is_run_end_to_end_under_national_2026_and_no_id_number_leaves_the_server(
        roll: Roll, tmp_path: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api, e = roll.api, roll.elections["a"]
    seen: list[str] = []

    def call(method: str, path: str, body: Any = None, status: int = 200, who: str = "cadre") -> Any:
        r = api.call(method, path, who, json=body)
        if r.mimetype.startswith("text/") or r.is_json:
            seen.append(r.get_data(as_text=True))
        assert r.status_code == status, (method, path, r.get_json() if r.is_json else r.status)
        return r.get_json() if r.is_json else r

    def facts(**values: Any) -> None:
        call("PATCH", f"/elections/{e}/facts", {"facts": values})

    def fire(trigger: str) -> None:
        version = call("GET", f"/elections/{e}")["version"]
        call("POST", f"/elections/{e}/transitions", {"trigger": trigger, "version": version})

    call("PUT", f"/elections/{e}/seats", {"director": 1, "deputy_director": 1, "member": 3})
    facts(leadership_group_formed=True, work_plan_approved=True, contingency_plan_filed=True, staff_trained=True,
          publicity_done=True, funding_secured=True, election_committee_formed=True, qualification_rules_set=True,
          election_mode="direct", election_day=ELECTION_DAY.isoformat())
    people = [person_body(n) for n in range(1, 13)]
    ids = [call("POST", f"/elections/{e}/voters", p, status=201)["id"] for p in people]
    call("POST", f"/elections/{e}/announcements", {"kind": "election_notice"}, status=201)
    roll_doc = call("POST", f"/elections/{e}/announcements", {"kind": "voter_list"}, status=201)
    text = pdf_text(call("GET", roll_doc["pdf"]).data, tmp_path)
    assert "选民名单公告" in text and "选民0001" in text and "第1居民小组" in text
    html = call("GET", roll_doc["html"]).get_data(as_text=True)
    assert "第2号" in html and "北市社区居民选举委员会" in html and "2026年11月2日" in html
    for p in people:
        assert p["id_number"] not in text and p["id_number"][:14] not in text and "1980" not in text
    # an objection adds a forgotten resident within the 5 days, decided within the 3
    roll.at(dt.date(2026, 11, 5))
    objection = call("POST", f"/elections/{e}/voter-objections", {"kind": "add", "person": person_body(13),
                                                                   "reason": "本人在外务工，漏登"}, status=201)
    call("POST", f"/voter-objections/{objection['id']}/decide", {"decision": "upheld", "note": "经核实"})
    assert call("GET", f"/elections/{e}/voters/summary")["registered"] == 13
    fire("open_nomination")
    candidates = {}
    for i, (name, post) in enumerate((("王主任", "director"), ("李主任", "director"), ("赵副", "deputy_director"),
                                      ("钱副", "deputy_director"), ("孙委", "member"), ("周委", "member"),
                                      ("吴委", "member"), ("郑委", "member"))):
        candidates[name] = call("POST", f"/elections/{e}/candidates", {"name": name, "post": post,
                                                                       "gender": "f" if i % 2 else "m"},
                                status=201)["id"]
    # national-2026 has a joint review: `qualified` is computed from every department's pass (domain.md §12)
    for cid in candidates.values():
        for dept in ("organization", "discipline", "political_legal", "public_security", "court", "procuratorate",
                     "petitions", "civil_affairs"):
            call("PUT", f"/candidates/{cid}/reviews/{dept}", {"verdict": "pass"}, who="admin")
    roll.at(dt.date(2026, 11, 20))
    call("POST", f"/elections/{e}/announcements", {"kind": "candidate_list"}, status=201)
    call("POST", f"/voters/{ids[1]}/proxy", {"holder": ids[0]}, status=201)
    call("POST", f"/elections/{e}/announcements", {"kind": "proxy_list"}, status=201)
    fire("open_candidate_meeting")
    for cid in candidates.values():
        call("PATCH", f"/candidates/{cid}", {"presented": True})
    facts(candidate_meeting_held="2026-11-25", polling_arrangements_ready=True)
    roll.at(ELECTION_DAY)
    fire("open_voting")
    call("POST", f"/voters/{ids[2]}/proxy", {"holder": ids[0]}, status=409)
    votes = {"王主任": 10, "李主任": 2, "赵副": 9, "钱副": 3, "孙委": 11, "周委": 10, "吴委": 8, "郑委": 1}
    body = {"kind": "first", "present": 12, "ballots_issued": 12, "ballots_returned": 12, "ballots_invalid": 0,
            "votes": {str(candidates[n]): v for n, v in votes.items()}}
    call("POST", f"/elections/{e}/rounds", {**body, "expected": 12}, status=400)
    result = call("POST", f"/elections/{e}/rounds", body, status=201)
    assert result["expected"] == 13 and result["valid"] is True
    facts(public_count_done=True, result_announced=True)
    fire("announce_result")
    doc = call("POST", f"/elections/{e}/announcements", {"kind": "result"}, status=201)
    text = pdf_text(call("GET", doc["pdf"]).data, tmp_path)
    for name in ("王主任", "赵副", "孙委", "周委", "吴委"):
        assert name in text
    assert "李主任" not in text and "选举结果公告" in text
    assert [a["number"] for a in call("GET", f"/elections/{e}/announcements")["items"]] == [1, 2, 3, 4, 5]
    assert call("GET", f"/elections/{e}")["state"] == "certification"
    for path in (f"/elections/{e}/voters?per_page=500", f"/elections/{e}/voter-objections",
                 f"/elections/{e}/history?per_page=500", f"/elections/{e}/calendar", f"/elections/{e}"):
        call("GET", path)
    export = call("GET", f"/elections/{e}/voters/export")
    sheet = openpyxl.load_workbook(io.BytesIO(export.data), read_only=True).active
    cells = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert "选民0001" in cells and len(cells) > 13 * 5
    everything = "\n".join(seen + cells) + "\n" + caplog.text
    for p in people + [person_body(13)]:
        assert p["id_number"] not in everything
