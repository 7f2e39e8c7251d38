"""The city summary report (domain.md §7) against a small hand-computed world (see report_fixture.py)."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from tests.integration.report_fixture import build_report_world
from workflow.errors import NotFound
from workflow.services.report_files import write_report_csv, write_report_xlsx
from workflow.services.reports import build_report, education_level, map_points


@pytest.fixture
def world(db):
    return build_report_world(db)


def report(db, actor, region="210100"):
    with db.uow(write=False) as uow:
        return build_report(uow, actor, "LN2014", region)


def test_progress_figures_match_the_hand_computed_world(db, world):
    r = report(db, world.actors["city"])
    t = r["totals"]
    assert (r["region"]["code"], r["drill_down"], r["as_of"]) == ("210100", "county", "2015-01-05")
    assert (t["communities"], t["key_difficult"], t["communities_completed"], t["key_completed"]) == (3, 1, 1, 0)
    assert t["party"]["states"] == {"preparation": 0, "nomination": 0, "candidate_meeting": 0, "voting": 0,
                                    "certification": 1, "handover": 0, "summary": 0, "closed": 1, "suspended": 1}
    assert (t["party"]["elections"], t["party"]["closed"], t["party"]["overdue"], t["party"]["suspended"]) == (3, 1, 1, 1)
    res = t["residents"]
    assert (res["elections"], res["closed"], res["overdue"], res["suspended"], res["village_law"]) == (3, 1, 2, 0, 1)
    assert res["states"]["handover"] == res["states"]["preparation"] == 1
    assert res["modes"] == {"direct": 1, "household": 1, "representative": 1, "unset": 0}
    assert res["elected"] == 2 and res["elected_modes"]["representative"] == 0
    assert res["direct_household_share"] == 1.0
    assert t["completion"] == round(2 / 6, 4)
    heping, shenhe = r["rows"]
    assert (heping["code"], heping["communities"], heping["key_difficult"], heping["communities_completed"]) == (
        "210102", 2, 1, 1)
    assert (heping["party"]["overdue"], heping["residents"]["overdue"], heping["residents"]["village_law"]) == (0, 1, 1)
    assert (shenhe["code"], shenhe["communities"], shenhe["party"]["suspended"], shenhe["party"]["overdue"]) == (
        "210103", 1, 1, 1)
    assert shenhe["residents"]["direct_household_share"] is None
    assert shenhe["residents"]["modes"]["representative"] == 1


def test_committee_structure_counts_the_elected_and_never_the_voided(db, world):
    st = report(db, world.actors["city"])["totals"]["structure"]
    party, residents = st["party"], st["residents"]
    assert (party["elected"], party["women"], party["party_members"], party["graduate_recruits"],
            party["dispatched_cadres"]) == (8, 3, 8, 2, 2)
    assert party["age_bands"] == {"le35": 2, "36_45": 2, "46_55": 2, "ge56": 1, "unknown": 1}
    assert party["average_age"] == round((35 + 30 + 36 + 45 + 46 + 55 + 56) / 7, 1)
    assert party["education"] == {"postgraduate": 1, "bachelor": 2, "college": 1, "secondary": 2, "below": 1,
                                  "other": 0, "unknown": 1}
    assert party["college_and_above"] == 4
    assert party["backgrounds"]["retired_cadre"] == 2 and party["backgrounds"]["unknown"] == 1
    assert party["posts"] == {"member": 8, "director": 0, "deputy_director": 0}
    assert (residents["elected"], residents["women"], residents["party_members"], residents["graduate_recruits"]) == (
        8, 4, 5, 1)
    assert residents["age_bands"]["36_45"] == 8 and residents["average_age"] == 40.0
    assert residents["posts"] == {"member": 4, "director": 2, "deputy_director": 2}


def test_complaints_key_communities_and_dossiers_are_counted(db, world):
    r = report(db, world.actors["city"])
    c = r["totals"]["complaints"]
    assert (c["total"], c["open"], c["resolved"], c["overdue"]) == (3, 2, 1, 1)
    assert c["by_category"]["bribery"] == {"open": 0, "unfounded": 1, "disqualify_candidate": 0, "void_election": 0,
                                           "total": 1}
    assert c["by_category"]["procedure"]["open"] == c["by_category"]["other"]["open"] == 1
    assert c["referrals"] == {"police": 0, "discipline": 1, "judicial": 0}
    assert r["rows"][1]["complaints"]["overdue"] == 1
    key = r["totals"]["key"]
    assert (key["village_converted"], key["urban_rural_fringe"], key["with_dossier"]) == (1, 0, 1)
    assert r["totals"]["dossiers"] == {"open": 1, "resolved": 1}
    first, second = r["dossiers"]
    assert (first["community"], first["status"], first["overdue"], first["stationed_cadre"]) == (
        "210102001002", "open", True, "王干部")
    assert (second["community"], second["status"], second["overdue"]) == ("210103001001", "resolved", False)


def test_a_county_report_drills_down_to_streets_and_scope_is_enforced(db, world):
    r = report(db, world.actors["county"], "210102")
    assert r["drill_down"] == "street" and [row["code"] for row in r["rows"]] == ["210102001"]
    assert r["totals"]["communities"] == 2
    with pytest.raises(NotFound):
        report(db, world.actors["county"], "210100")
    with pytest.raises(NotFound):
        report(db, world.actors["city"], "210000")
    province = report(db, world.actors["province"], "210000")
    assert province["drill_down"] == "city" and province["totals"]["communities"] == 3


def test_the_xlsx_workbook_opens_back_with_the_headline_figures(db, world):
    out = io.BytesIO()
    write_report_xlsx(report(db, world.actors["city"]), out)
    wb = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    assert wb.sheetnames == ["概况", "进度", "选举方式", "班子结构", "举报", "举报分地区", "重点难点社区", "建档立卡"]
    summary = wb["概况"]
    assert "沈阳市" in summary["A1"].value and "2015-04-10" in summary["A2"].value
    assert (summary["A3"].value, summary["B3"].value) == ("指标", "数值")
    assert summary.freeze_panes == "A4"
    assert (summary["A4"].value, summary["B4"].value) == ("社区数", 3)
    assert (summary["A5"].value, summary["B5"].value) == ("重点难点社区", 1)
    assert (summary["A6"].value, summary["B6"].value) == ("两委换届均已完成的社区", 1)
    assert (summary["A9"].value, summary["B9"].value) == ("社区党组织 · 已完成", 1)
    assert (summary["A14"].value, summary["B14"].value) == ("社区居委会 · 逾期", 2)
    assert (summary["A18"].value, summary["B18"].value) == ("社区居委会 · 直接选举和户代表选举占比", 1)
    assert summary["B18"].number_format == "0.0%"
    assert (summary["A19"].value, summary["B19"].value) == ("班子结构 · 社区党组织 · 当选人数", 8)
    assert (summary["A20"].value, summary["B20"].value) == ("班子结构 · 社区党组织 · 女性", 3)
    assert (summary["A23"].value, summary["B23"].value) == ("举报 · 合计", 3)
    progress = wb["进度"]
    assert progress.freeze_panes == "C3" and progress["F1"].value == "社区党组织换届选举"
    assert [c.value for c in progress[3]][:6] == ["210102", "和平区", 2, 1, 1, 2]
    assert [c.value for c in progress[5]][:6] == ["210100", "沈阳市（合计）", 3, 1, 1, 3]
    assert progress["P2"].value == "逾期" and progress["P5"].value == 1
    assert progress.column_dimensions["B"].width == 18
    structure = wb["班子结构"]
    assert [c.value for c in structure[4]] == ["女性", 3, 0.375, 4, 0.5]
    assert wb["建档立卡"]["A2"].value == "210102001002"


def test_the_csv_has_one_line_per_figure_and_english_labels_on_request(db, world):
    out = io.StringIO()
    write_report_csv(report(db, world.actors["city"]), out, "en")
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["Topic", "Region code", "Region name", "Indicator code", "Indicator", "Value"]
    figures = {(r[1], r[3]): r[5] for r in rows[1:]}
    assert figures[("210100", "residents.overdue")] == "2"
    assert figures[("210102", "structure.party.women")] == "3"
    assert figures[("210103", "residents.direct_household_share")] == ""


def test_the_map_has_one_point_per_district_with_its_completion(db, world):
    with db.uow(write=False) as uow:
        points = map_points(uow, world.actors["city"], "LN2014", "210100")
    assert [(p["code"], p["communities"], p["closed"], p["completion"]) for p in points] == [
        ("210102", 2, 2, 0.5), ("210103", 1, 0, 0.0)]


@pytest.mark.parametrize("text,level", [("研究生", "postgraduate"), ("硕士研究生", "postgraduate"),
                                        ("大学本科", "bachelor"), ("大专", "college"), ("中专", "secondary"),
                                        ("高中", "secondary"), ("初中及以下", "below"), ("私塾", "other"),
                                        ("", "unknown"), (None, "unknown")])
def test_education_text_maps_onto_levels(text, level):
    assert education_level(text) == level
