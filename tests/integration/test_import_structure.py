"""Importing regions, users and responsibilities; exporting the structure in the importer's own format."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from tests.support import build_world
from workflow.auth import SYSTEM
from workflow.models import AuditEvent, Region, Responsibility, User
from workflow.passwords import check_password
from workflow.services.imports import ImportRejected, export_structure, import_file, write_template
from workflow.services.structure import create_region

DIVISIONS = Path(__file__).resolve().parents[2] / "workflow" / "data" / "liaoning-divisions.csv"
STREETS = ("区划代码,名称,级别,上级代码,经度,纬度\n"
           "210102901,新华街道,街道,210102,,\n"
           "210102902,光荣街道,街道（乡、镇）,210102,123.41,41.78\n")


def run(db: Any, actor: Any, data: bytes | str, kind: str, filename: str = "f.csv") -> dict[str, Any]:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with db.uow() as uow:
        return import_file(uow, actor, kind, io.BytesIO(raw), filename)


def rejected(db: Any, actor: Any, data: bytes | str, kind: str, lang: str = "zh") -> list[dict[str, Any]]:
    with pytest.raises(ImportRejected) as info:
        run(db, actor, data, kind)
    return info.value.rows(lang)


def regions(db: Any) -> dict[str, Region]:
    with db.uow(write=False) as uow:
        return {r.code: r for r in uow.session.scalars(select(Region))}


def test_the_division_file_imports_into_an_empty_database_with_ancestors_like_create_region(db):
    assert run(db, SYSTEM, DIVISIONS.read_bytes(), "regions")["created"] == 115
    assert run(db, SYSTEM, STREETS, "regions")["created"] == 2
    with db.uow() as uow:
        create_region(uow, SYSTEM, "210102903", "对照街道", "street", "210102")
    r = regions(db)
    province, city, county = r["210000"], r["210100"], r["210102"]
    assert (province.province_id, province.city_id, province.county_id) == (province.id, None, None)
    assert (city.parent_id, city.province_id, city.city_id, city.county_id) == (province.id, province.id, city.id, None)
    assert (county.parent_id, county.province_id, county.city_id, county.county_id) == (
        city.id, province.id, city.id, county.id)
    made, imported = r["210102903"], r["210102902"]
    assert (imported.parent_id, imported.province_id, imported.city_id, imported.county_id) == (
        made.parent_id, made.province_id, made.city_id, made.county_id)
    assert (imported.longitude, imported.latitude) == (123.41, 41.78)
    assert abs(city.longitude - 123.465035) < 1e-9


def test_regions_whose_parent_comes_later_in_the_file_are_created_top_down(db):
    text = ("code,name,level,parent\n210101001,甲街道,street,210101\n210101,甲区,county,210100\n"
            "210100,沈阳市,city,210000\n210000,辽宁省,province,\n")
    assert run(db, SYSTEM, text, "regions")["created"] == 4
    assert regions(db)["210101001"].county_id == regions(db)["210101"].id


def test_region_problems_are_reported_and_existing_regions_are_not_moved(db):
    build_world(db)
    text = ("区划代码,名称,级别,上级代码,经度\n"
            "210102901,甲街道,街道,210999,\n"        # unknown parent
            "210102902,乙街道,街道,210100,\n"        # a street under a city
            "210102001,太原街街道,县,210102,\n"      # existing street cannot become a county
            "210103001,大西街道,街道,210102,\n"      # existing street cannot move
            "210102903,丙街道,村,210102,200\n")     # bad level, bad longitude
    problems = rejected(db, SYSTEM, text, "regions")
    assert [(p["row"], p["column"]) for p in problems] == [
        (6, "级别"), (6, "经度"), (2, "上级代码"), (3, "上级代码"), (4, "级别"), (5, "上级代码")]
    assert "210999" in problems[2]["problem"]


def test_a_region_rename_is_an_update_and_a_city_supervisor_cannot_create_a_province(db):
    world = build_world(db)
    assert run(db, SYSTEM, "code,name,level,parent\n210102,和平区（新）,county,210100\n", "regions")["updated"] == 1
    assert regions(db)["210102"].name == "和平区（新）"
    problems = rejected(db, world.actors["city"], "code,name,level,parent\n220000,吉林省,province,\n", "regions")
    assert problems[0]["column"] == "level"  # the header as the file writes it


USERS = ("用户名,姓名,角色,管辖区域代码,电子邮箱,初始密码\n"
         "zhangsan,张三,督导,210100,zhang@example.cn,secret-pass-1\n"
         "lisi,李四,街道干部,210102001,,secret-pass-2\n"
         "wangwu,,cadre,210103001,,secret-pass-3\n")


def test_users_are_created_with_hashed_passwords_and_reimporting_changes_nothing(db):
    build_world(db)
    assert run(db, SYSTEM, USERS, "users")["created"] == 3
    assert run(db, SYSTEM, USERS, "users") == {"kind": "users", "rows": 3, "created": 0, "updated": 0,
                                               "unchanged": 3}
    with db.uow(write=False) as uow:
        zhang = uow.session.scalars(select(User).where(User.username == "zhangsan")).one()
        wang = uow.session.scalars(select(User).where(User.username == "wangwu")).one()
        assert check_password(zhang.password_hash, "secret-pass-1") and "secret" not in zhang.password_hash
        assert (zhang.role, zhang.display_name, zhang.email) == ("supervisor", "张三", "zhang@example.cn")
        assert wang.display_name == "wangwu" and wang.role == "cadre"
    changed = USERS.replace("lisi,李四,街道干部,210102001,,secret-pass-2", "lisi,李四,督导,210102,,other-pass-9")
    assert run(db, SYSTEM, changed, "users")["updated"] == 1
    with db.uow(write=False) as uow:
        li = uow.session.scalars(select(User).where(User.username == "lisi")).one()
        assert li.role == "supervisor"
        assert check_password(li.password_hash, "secret-pass-2"), "an existing user's password never changes"


def test_user_problems_are_reported_per_row(db):
    world = build_world(db)
    text = ("用户名,角色,管辖区域代码,初始密码\n"
            "new1,督导,,long-enough-1\n"            # scope missing
            "new2,街道干部,999,long-enough-2\n"      # unknown scope
            "new3,街道干部,210102001,short\n"       # short password
            "new4,街道干部,210102001,\n"            # no password for a new user
            "bad name,街道干部,210102001,long-enough-5\n"
            "new6,市长,210100,long-enough-6\n")
    problems = rejected(db, SYSTEM, text, "users")
    assert [(p["row"], p["column"]) for p in problems] == [
        (2, "管辖区域代码"), (3, "管辖区域代码"), (6, "用户名"), (7, "角色"), (4, "初始密码"), (5, "初始密码")]
    city = world.actors["city"]
    limited = rejected(db, city, "用户名,角色,管辖区域代码,初始密码\nroot2,系统管理员,,long-enough-1\n"
                                 "prov2,督导,210000,long-enough-2\n", "users")
    assert [(p["row"], p["column"]) for p in limited] == [(2, "角色"), (3, "管辖区域代码")]


def test_responsibilities_are_upserted_per_target_and_kind(db):
    build_world(db)
    text = ("对象代码,责任类别,用户名\n210103001001,包保责任人,othercadre\n210103,第一责任人,city\n"
            "210103,直接责任人,county\n210102001001,,street\n")
    result = run(db, SYSTEM, text, "responsibilities")
    assert (result["created"], result["updated"], result["unchanged"]) == (3, 1, 0)
    assert run(db, SYSTEM, text, "responsibilities")["unchanged"] == 4
    with db.uow(write=False) as uow:
        rows = {(r.target_code, r.kind): r for r in uow.session.scalars(select(Responsibility))}
        street = uow.session.scalars(select(User).where(User.username == "street")).one()
    assert rows[("210102001001", "contact")].user_id == street.id
    assert rows[("210103001001", "contact")].community_id is not None
    assert rows[("210103", "first")].region_id is not None
    problems = rejected(db, SYSTEM, "对象代码,责任类别,用户名\n999,包保责任人,city\n210103,第二责任人,city\n"
                                    "210103,第一责任人,nobody\n210103,第一责任人,city\n", "responsibilities")
    assert [(p["row"], p["column"]) for p in problems] == [(3, "责任类别"), (4, "用户名"), (5, "对象代码"),
                                                          (2, "对象代码")]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_exported_structure_reimports_unchanged(db, fmt):
    world = build_world(db)
    run(db, SYSTEM, DIVISIONS.read_bytes(), "regions")
    files = {}
    for kind in ("regions", "communities", "users", "responsibilities"):
        out = io.BytesIO()
        with db.uow(write=False) as uow:
            export_structure(uow, SYSTEM, kind, fmt, out)
        files[kind] = out.getvalue()
    assert b"argon2" not in files["users"]
    for kind, data in files.items():
        result = run(db, SYSTEM, data, kind, f"{kind}.{fmt}")
        assert result["created"] == result["updated"] == 0, (kind, result)
        assert result["unchanged"] == result["rows"] > 0
    out = io.BytesIO()
    with db.uow(write=False) as uow:
        export_structure(uow, world.actors["county"], "communities", fmt, out)
    text = out.getvalue().decode("utf-8-sig") if fmt == "csv" else str(
        [r for r in openpyxl.load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(values_only=True)])
    assert "210102001001" in text and "210103001001" not in text


def test_templates_have_chinese_headers_and_a_notes_sheet(db):
    out = io.BytesIO()
    write_template("communities", "xlsx", out)
    wb = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    header = [c.value for c in wb.worksheets[0][1]]
    assert header[:3] == ["社区代码", "社区名称", "街道代码"]
    assert wb.worksheets[0].freeze_panes == "A2"
    assert any("撤村建居" in str(row[0]) for row in wb.worksheets[1].iter_rows(values_only=True))
    csv_out = io.BytesIO()
    write_template("users", "csv", csv_out)
    assert csv_out.getvalue().startswith(b"\xef\xbb\xbf") and "初始密码".encode() in csv_out.getvalue()


def test_an_import_leaves_one_audit_row(db):
    build_world(db)
    run(db, SYSTEM, STREETS, "regions")
    with db.uow(write=False) as uow:
        rows = list(uow.session.scalars(select(AuditEvent).where(AuditEvent.action == "data_imported")))
        assert uow.session.scalar(select(func.count()).select_from(AuditEvent)) > 1
    assert [r.data["created"] for r in rows] == [2]
