"""`huanjie import voters FILE --election ID`: all or nothing from the command line."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.e2e.roll_support import Roll, roll  # noqa: F401
from tests.integration.test_cli import one_line_error, run, url_of
from workflow.identity import make_id_number

HEADER = "姓名,性别,身份证号,户,居民小组\n"


def test_a_roll_is_imported_from_the_command_line_and_a_bad_file_changes_nothing(
        roll: Roll, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    e = roll.prepare()
    url = url_of(roll.api.db)
    good = tmp_path / "roll.csv"
    good.write_text(HEADER + "".join(f"张{n},男,{make_id_number('210102', dt.date(1960, 1, 1), n)},H{n},一组\n"
                                     for n in range(1, 4)), encoding="gb18030")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + f"李,女,{make_id_number('210102', dt.date(1960, 1, 1), 9)[:-1]}Z,H1,一组\n",
                   encoding="utf-8")
    env = {"HUANJIE_IDENTITY_KEY": "test-identity-key"}
    monkeypatch.setenv("HUANJIE_IDENTITY_KEY", env["HUANJIE_IDENTITY_KEY"])
    result = run(url, "import", "voters", str(bad), "--election", str(e), "--lang", "en", instance=tmp_path)
    assert "nothing was imported" in one_line_error(result) and "row 2" in result.stdout
    assert one_line_error(run(url, "import", "voters", str(good), instance=tmp_path)).endswith("--election ID is required")
    result = run(url, "import", "voters", str(good), "--election", str(e), instance=tmp_path)
    assert result.returncode == 0, result.stderr
    assert roll.api.get(f"/elections/{e}/voters/summary").get_json()["registered"] == 3
