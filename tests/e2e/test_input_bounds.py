"""Every input bounded: ids within int4, lists, bodies, dates 1900–2999, query filters; CLI errors one line, exit 2.

First failing on main (issue 12, Medium 6 and Low 7): ids beyond int4 answered 500, 70,000 ids 503, the sweep's
`at` of 9999-12-31 or 0001-01-01 500 (and a traceback in the CLI), `?date=0000-00-00` was ignored with a 200.
"""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.e2e.api_support import Api, api, assert_error  # noqa: F401


@pytest.mark.parametrize("ids", [[2147483648], [18446744073709551616], [-1], [0], list(range(1, 70_001)),
                                 ["1"], [1.0], [True]],
                         ids=["int4+1", "2**64", "negative", "zero", "70000 ids", "string", "float", "boolean"])
def test_notification_ids_beyond_the_database_range_or_too_many_are_a_400(api, ids):
    body = assert_error(api.post("/notifications/read", {"ids": ids}), 400, "invalid_request")
    assert "ids" in " ".join(body["fields"])


def test_notification_ids_within_the_range_are_accepted(api):
    r = api.post("/notifications/read", {"ids": [1, 2147483647]})
    assert r.status_code == 200, r.get_json()


@pytest.mark.parametrize("at", ["9999-12-31", "0001-01-01", "1899-12-31T23:00:00+00:00", "3000-01-01"])
def test_a_sweep_at_a_time_outside_1900_to_2999_is_a_400(api, at):
    body = assert_error(api.post("/admin/sweep", {"at": at}), 400, "invalid_request")
    assert "at" in body["fields"]


def test_a_sweep_at_the_edges_of_the_range_runs(api):
    for at in ("1900-01-02", "2999-12-30"):
        r = api.post("/admin/sweep", {"at": at})
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["notifications"] >= 0


def test_huanjie_sweep_at_year_9999_is_one_line_and_exit_2(api, tmp_path, monkeypatch):
    from huanjie.cli import main
    monkeypatch.setenv("HUANJIE_DATABASE_URL", api.db.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("HUANJIE_INSTANCE", str(tmp_path / "instance"))
    result = CliRunner().invoke(main, ["sweep", "--at", "9999-12-31"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("date", ["0000-00-00", "2014-13-01", "9999-12-31", "yesterday"])
def test_a_bad_bulletin_date_filter_is_a_400(api, date):
    body = assert_error(api.get(f"/bulletins?date={date}"), 400, "invalid_request")
    assert "date" in body["fields"]


def test_a_json_body_over_one_megabyte_is_a_413(api):
    r = api.post("/notifications/read", data='{"ids": [' + ",".join(["1"] * 600_000) + "]}")
    assert r.status_code == 413
    assert r.get_json()["error"] == "payload_too_large"


@pytest.mark.parametrize("page", ["1.0", "+1", " 1", "1e3", "99999999999999999999"])
def test_page_numbers_are_digits_within_their_range(api, page):
    assert_error(api.get(f"/communities?page={page}"), 400, "invalid_request")


def test_path_ids_beyond_the_database_range_are_not_found(api):
    assert_error(api.get("/elections/2147483648"), 404, "not_found")
    assert_error(api.get("/elections/18446744073709551616"), 404, "not_found")
