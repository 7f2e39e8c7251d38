"""`huanjie report` and `huanjie import` on the command line (api.md, command-line contract)."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from huanjie.cli import main
from tests.integration.report_fixture import build_report_world
from workflow.models import Community


@pytest.fixture
def cli(db, monkeypatch, tmp_path):
    monkeypatch.setenv("HUANJIE_DATABASE_URL", db.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("HUANJIE_INSTANCE", str(tmp_path / "instance"))
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), catch_exceptions=False)


def test_report_writes_json_and_csv_to_standard_output(db, cli):
    build_report_world(db)
    result = cli("report", "--campaign", "LN2014", "--city", "210100", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["totals"]["communities"] == 3 and data["totals"]["residents"]["overdue"] == 2
    result = cli("report", "--campaign", "LN2014", "--city", "210100", "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "主题,区域代码,区域名称,指标代码,指标,数值"
    assert "210100,沈阳市,residents.overdue,社区居委会 · 逾期,2" in result.stdout


def test_report_xlsx_needs_out_and_writes_a_workbook(db, cli, tmp_path):
    build_report_world(db)
    result = cli("report", "--campaign", "LN2014", "--city", "210100", "--format", "xlsx")
    assert result.exit_code == 2 and "--out" in result.stderr and result.stderr.count("\n") == 1
    target = tmp_path / "沈阳.xlsx"
    result = cli("report", "--campaign", "LN2014", "--city", "210100", "--format", "xlsx", "--out", str(target))
    assert result.exit_code == 0, result.stderr
    assert openpyxl.load_workbook(target)["概况"]["B4"].value == 3
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report-")] == []


@pytest.mark.parametrize("args,word", [(("--campaign", "NOPE", "--city", "210100"), "campaign"),
                                       (("--campaign", "LN2014", "--city", "999999"), "city")])
def test_report_with_an_unknown_campaign_or_city_exits_2_with_one_line(db, cli, args, word):
    build_report_world(db)
    result = cli("report", *args, "--format", "json")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and word in result.stderr and result.stdout == ""


def test_import_reports_problems_and_exit_2_then_imports_a_clean_file(db, cli, tmp_path):
    from tests.support import build_world
    build_world(db)
    bad = tmp_path / "bad.csv"
    bad.write_bytes("社区代码,社区名称,街道代码,户数\n210102001070,甲,210102001,很多\n".encode("gb18030"))
    result = cli("import", "communities", str(bad))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "第2行" in result.stdout and "户数" in result.stdout
    good = tmp_path / "good.csv"
    good.write_text("社区代码,社区名称,街道代码,户数\n210102001070,甲,210102001,100\n", encoding="utf-8")
    result = cli("import", "communities", str(good), "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert "created 1" in result.stdout
    with db.uow(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Community)) == 4
    missing = cli("import", "communities", str(Path(tmp_path) / "missing.csv"))
    assert missing.exit_code == 2 and "cannot open" in missing.stderr
