"""Importing communities from CSV and XLSX: every problem reported, all or nothing, idempotent, encodings."""
from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from tests.support import build_world
from workflow.models import Community, Region
from workflow.services.imports import ImportRejected, import_file
from workflow.services.structure import create_community

HEADER = "社区代码,社区名称,街道代码,户数,登记选民数,党组织类型,党员数,城乡结合部,撤村建居,集体产权改革已完成,外来人口聚集,新建住宅区,其他风险\n"
GOOD = ("210102001010,青年社区,210102001,1200,2500,党总支,80,否,否,否,是,否,\n"
        "210102001011,河畔社区,210102001,900,1800,党支部,35,是,否,否,否,否,\n"
        "210103001010,新城社区,210103001,3000,6100,党委,150,否,否,否,否,是,\n")


def run(db: Any, actor: Any, text: str | bytes, kind: str = "communities", filename: str = "c.csv") -> dict[str, Any]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with db.uow() as uow:
        return import_file(uow, actor, kind, io.BytesIO(data), filename)


def rejected(db: Any, actor: Any, text: str | bytes, lang: str = "zh", **kw: Any) -> list[dict[str, Any]]:
    with pytest.raises(ImportRejected) as info:
        run(db, actor, text, **kw)
    return info.value.rows(lang)


def community(db: Any, code: str) -> Community:
    with db.uow(write=False) as uow:
        return uow.session.scalars(select(Community).where(Community.code == code)).one()


def count(db: Any) -> int:
    with db.uow(write=False) as uow:
        return uow.session.scalar(select(func.count()).select_from(Community))


def test_every_kind_of_bad_row_is_reported_with_its_row_and_column(db):
    world = build_world(db)
    bad = HEADER + GOOD + (
        "210102001020,,210102001,10,10,党支部,1,否,否,否,否,否,\n"            # row 5: missing name
        "210102001021,甲社区,999999999,10,10,党支部,1,否,否,否,否,否,\n"      # row 6: unknown street
        "210102001010,乙社区,210102001,10,10,党支部,1,否,否,否,否,否,\n"      # row 7: duplicate of row 2
        "210102001022,丙社区,210102001,10,10,党支部,1,也许,否,否,否,否,\n"    # row 8: bad flag
        "210102001023,丁社区,210102001,一千,10,党支部,-5,否,否,否,否,否,\n"   # row 9: two bad numbers
        "210102001024,戊社区,210102,10,10,党小组,1,否,否,否,否,否,\n")        # row 10: county, bad org type
    problems = rejected(db, world.actors["admin"], bad)
    where = [(p["row"], p["column"]) for p in problems]
    assert where == [(5, "社区名称"), (6, "街道代码"), (7, "社区代码"), (8, "城乡结合部"), (9, "户数"), (9, "党员数"),
                     (10, "党组织类型"), (10, "街道代码")]
    texts = {(p["row"], p["column"]): p["problem"] for p in problems}
    assert texts[(5, "社区名称")] == "必填"
    assert "999999999" in texts[(6, "街道代码")] and "不存在" in texts[(6, "街道代码")]
    assert "第2行" in texts[(7, "社区代码")]
    assert "也许" in texts[(8, "城乡结合部")]
    assert "整数" in texts[(9, "户数")]
    assert "不是街道" in texts[(10, "街道代码")]
    english = rejected(db, world.actors["admin"], bad, lang="en")
    assert {(p["row"], p["column"]) for p in english} == set(where)
    assert any(p["problem"] == "is required" for p in english)
    assert any("duplicate code: already on row 2" == p["problem"] for p in english)


def test_a_file_with_one_bad_row_imports_nothing(db):
    world = build_world(db)
    before = count(db)
    rejected(db, world.actors["admin"], HEADER + GOOD + "210102001099,坏社区,210102001,x,0,党支部,0,否,否,否,否,否,\n")
    assert count(db) == before


def test_reimporting_the_same_file_changes_nothing_and_an_edited_file_updates_what_changed(db):
    world = build_world(db)
    admin = world.actors["admin"]
    assert run(db, admin, HEADER + GOOD) == {"kind": "communities", "rows": 3, "created": 3, "updated": 0,
                                             "unchanged": 0}
    assert run(db, admin, HEADER + GOOD) == {"kind": "communities", "rows": 3, "created": 0, "updated": 0,
                                             "unchanged": 3}
    young = community(db, "210102001010")
    assert (young.name, young.households, young.voters, young.party_org_type, young.party_members) == (
        "青年社区", 1200, 2500, "general_branch", 80)
    assert young.migrant_dense and young.key_difficult
    edited = GOOD.replace("210102001010,青年社区,210102001,1200,2500,党总支,80,否,否,否,是,否,",
                          "210102001010,青年路社区,210103001,1300,2500,党总支,80,否,否,否,否,否,")
    assert run(db, admin, HEADER + edited)["updated"] == 1
    moved = community(db, "210102001010")
    with db.uow(write=False) as uow:
        street = uow.session.scalars(select(Region).where(Region.code == "210103001")).one()
    assert (moved.name, moved.households, moved.migrant_dense, moved.key_difficult) == ("青年路社区", 1300, False, False)
    assert (moved.street_id, moved.county_id, moved.city_id, moved.province_id) == (
        street.id, street.county_id, street.city_id, street.province_id)


def test_a_file_without_optional_columns_leaves_stored_values_alone(db):
    world = build_world(db)
    admin = world.actors["admin"]
    run(db, admin, HEADER + GOOD)
    result = run(db, admin, "社区代码,社区名称,街道代码\n210102001010,青年社区,210102001\n")
    assert result["unchanged"] == 1
    assert community(db, "210102001010").households == 1200


def test_a_gb18030_file_saved_by_chinese_excel_imports(db):
    world = build_world(db)
    run(db, world.actors["admin"], (HEADER + GOOD).replace("\n", "\r\n").encode("gb18030"))
    assert community(db, "210102001011").name == "河畔社区"
    assert community(db, "210102001011").urban_rural_fringe is True


def test_a_utf8_file_with_a_byte_order_mark_imports(db):
    world = build_world(db)
    run(db, world.actors["admin"], b"\xef\xbb\xbf" + (HEADER + GOOD).encode("utf-8"))
    assert community(db, "210102001010").name == "青年社区"


def test_undecodable_bytes_are_reported_with_their_row(db):
    world = build_world(db)
    data = (HEADER + GOOD).encode("utf-8") + b"210102001030,\xff\xfe\xfa,210102001,1,1,,1,,,,,,\n"
    problems = rejected(db, world.actors["admin"], data)
    assert [p["row"] for p in problems] == [5]
    assert "UTF-8" in problems[0]["problem"] and "GB18030" in problems[0]["problem"]
    assert count(db) == 3


def test_an_xlsx_file_with_english_headers_and_numeric_cells_imports(db):
    world = build_world(db)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["code", "name", "street", "households", "voters", "party_org_type", "party_members",
               "village_converted", "collective_reform_done", "other_risk"])
    ws.append([210102001040, "东风社区", 210102001, 500.0, 900, "committee", 20, True, "是", None])
    ws.append([210102001041, "西风社区", "210102001", 600, 1100, "general_branch", 25, "no", "否", "信访积案"])
    out = io.BytesIO()
    wb.save(out)
    assert run(db, world.actors["admin"], out.getvalue(), filename="c.xlsx")["created"] == 2
    east, west = community(db, "210102001040"), community(db, "210102001041")
    assert (east.households, east.party_org_type, east.village_converted, east.collective_reform_done) == (
        500, "committee", True, True)
    assert west.other_risk == "信访积案" and west.key_difficult is True


def test_xlsx_problems_name_the_spreadsheet_row_and_header(db):
    world = build_world(db)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["社区代码", "社区名称", "街道代码", "户数"])
    ws.append(["210102001050", "一号", "210102001", 5])
    ws.append([])  # an empty row keeps its number
    ws.append(["210102001051", "二号", "210102001", "很多"])
    out = io.BytesIO()
    wb.save(out)
    problems = rejected(db, world.actors["admin"], out.getvalue(), filename="c.xlsx")
    assert [(p["row"], p["column"]) for p in problems] == [(4, "户数")]


def test_header_problems_are_reported_on_row_one(db):
    world = build_world(db)
    problems = rejected(db, world.actors["admin"], "社区代码,社区名称,颜色\n210102001060,甲,红\n")
    assert (1, "颜色") in [(p["row"], p["column"]) for p in problems]
    assert any(p["row"] == 1 and p["column"] == "街道代码" for p in problems)


def test_files_that_are_not_tables_get_a_clear_error(db):
    world = build_world(db)
    assert "为空" in rejected(db, world.actors["admin"], b"")[0]["problem"]
    old_xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
    assert ".xls" in rejected(db, world.actors["admin"], old_xls, lang="en")[0]["problem"]
    broken_xlsx = b"PK\x03\x04" + b"\x00" * 100
    assert "XLSX" in rejected(db, world.actors["admin"], broken_xlsx, lang="en")[0]["problem"]
    assert "no data rows" in rejected(db, world.actors["admin"], HEADER, lang="en")[0]["problem"]


def test_a_supervisor_imports_only_into_streets_of_its_own_scope(db):
    world = build_world(db)
    county = world.actors["county"]  # 210102
    problems = rejected(db, county, HEADER + GOOD)
    assert [(p["row"], p["column"]) for p in problems] == [(4, "街道代码")]
    with pytest.raises(ImportRejected) as info:
        run(db, county, "社区代码,社区名称,街道代码\n210103001001,大西社区,210102001\n")
    assert "管辖范围以外" in info.value.rows()[0]["problem"]
    with pytest.raises(Exception) as denied:
        run(db, world.actors["cadre"], HEADER + GOOD)
    assert getattr(denied.value, "code", None) == "forbidden"


def test_imported_communities_match_those_the_service_creates(db):
    world = build_world(db)
    admin = world.actors["admin"]
    run(db, admin, HEADER + GOOD)
    with db.uow() as uow:
        made = create_community(uow, admin, {"code": "210102001012", "name": "对照", "street": "210102001",
                                             "migrant_dense": True})
        made_row = (made.street_id, made.county_id, made.city_id, made.province_id, made.key_difficult)
    imported = community(db, "210102001010")
    assert (imported.street_id, imported.county_id, imported.city_id, imported.province_id,
            imported.key_difficult) == made_row


def test_a_code_stored_by_someone_else_meanwhile_rejects_the_file_cleanly(db, monkeypatch):
    world = build_world(db)
    import workflow.importing.structure as structure
    monkeypatch.setattr(structure, "chunks", lambda items, size=500: iter(()))  # the lookup misses 210102001001
    problems = rejected(db, world.actors["admin"], "社区代码,社区名称,街道代码\n210102001001,北市社区,210102001\n"
                                                   "210102001013,新社区,210102001\n", lang="en")
    assert [p["row"] for p in problems] == [0] and "at the same time" in problems[0]["problem"]
    assert count(db) == 3


def test_an_xlsx_with_a_wrong_dimension_still_imports_every_row(db):
    import zipfile
    world = build_world(db)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["社区代码", "社区名称", "街道代码"])
    for n in range(5):
        ws.append([f"21010200106{n}", f"社区{n}", "210102001"])
    good, bad = io.BytesIO(), io.BytesIO()
    wb.save(good)
    with zipfile.ZipFile(io.BytesIO(good.getvalue())) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:C6"', b'<dimension ref="A1:C2"')
            dst.writestr(item, data)
    assert b"A1:C2" in zipfile.ZipFile(io.BytesIO(bad.getvalue())).read("xl/worksheets/sheet1.xml")
    assert run(db, world.actors["admin"], bad.getvalue(), filename="c.xlsx")["created"] == 5
