"""Rule sets are data: validated at load with errors naming the file and the key; a second one is just a file."""
from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from workflow import ruleset
from workflow.ruleset import (RULESET_DIR, RuleSetError, Threshold, available_rule_sets, get_rule_set,
                              load_rule_set_file, register_rule_set_dir)

TEST_RULESETS = Path(__file__).resolve().parents[1] / "data" / "rulesets"
SHIPPED = json.loads((RULESET_DIR / "liaoning-2014.json").read_text(encoding="utf-8"))


@pytest.fixture
def isolated_dirs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Start with no extra rule-set folders and an empty cache; restore both afterwards."""
    monkeypatch.setattr(ruleset, "_EXTRA_DIRS", [])
    monkeypatch.delenv(ruleset.RULESET_PATH_ENV, raising=False)
    get_rule_set.cache_clear()
    yield
    get_rule_set.cache_clear()


def write(tmp_path: Path, data: Any, name: str = "broken-2014") -> Path:
    if isinstance(data, dict):
        data = {**data, "name": data.get("name", name)}
    path = tmp_path / f"{name}.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def broken(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = copy.deepcopy(SHIPPED)
    data["name"] = "broken-2014"
    change(data)
    return data


def test_the_shipped_rule_set_holds_the_numbers_of_the_notice_and_laws():
    r = get_rule_set("liaoning-2014")
    assert r.party.seats == {"committee": (7, 9), "general_branch": (5, 7), "branch": (3, 5)}
    assert r.party.quorum == Threshold(4, 5, True, "present")
    assert r.party.win_first == Threshold(1, 2, True, "present")
    assert r.residents.seats_total == (5, 9) and r.village_law.seats_total == (3, 7)
    assert r.residents.quorum["representative"] == Threshold(2, 3, False, "returned")
    assert r.residents.win_another == Threshold(1, 3, False, "returned")
    assert (r.residents.voter_list_days, r.residents.candidate_list_days, r.residents.proxy_max) == (20, 5, 3)
    assert (r.complaint_days, r.handover_days, r.suspension_review_days) == (30, 10, 14)
    assert r.escalation_offsets_days == (0, 7, 14)
    assert str(r.report_due) == "2015-04-10"
    assert r.residents_rules(True) is r.village_law and r.residents_rules(False) is r.residents


def test_a_rule_set_is_loaded_once_per_process():
    assert get_rule_set("liaoning-2014") is get_rule_set("liaoning-2014")


def test_an_unknown_rule_set_is_refused_with_the_available_names():
    with pytest.raises(RuleSetError, match=r"unknown rule set 'national-1999'.*liaoning-2014"):
        get_rule_set("national-1999")


@pytest.mark.parametrize("change, key", [
    (lambda d: d["party"].pop("quorum"), "party.quorum"),
    (lambda d: d["party"]["quorum"].pop("strict"), "party.quorum.strict"),
    (lambda d: d.pop("complaint_days"), "complaint_days"),
    (lambda d: d["residents"]["village_law"].pop("seats_total"), "residents.village_law.seats_total"),
    (lambda d: d["calendar"].pop("start"), "calendar.start"),
    (lambda d: d.pop("title"), "title"),
], ids=["party.quorum", "strict", "complaint_days", "village_law.seats_total", "calendar.start", "title"])
def test_a_missing_key_is_named_with_the_file(tmp_path: Path, change: Callable[[dict[str, Any]], None], key: str):
    path = write(tmp_path, broken(change))
    with pytest.raises(RuleSetError) as err:
        load_rule_set_file(path)
    assert str(path) in str(err.value)
    assert f"'{key}'" in str(err.value) and "missing" in str(err.value)


@pytest.mark.parametrize("change, key", [
    (lambda d: d["party"].__setitem__("proxy_max", "none"), "party.proxy_max"),
    (lambda d: d.__setitem__("handover_days", 10.5), "handover_days"),
    (lambda d: d.__setitem__("suspension_review_days", True), "suspension_review_days"),
    (lambda d: d["party"]["quorum"].__setitem__("strict", "yes"), "party.quorum.strict"),
    (lambda d: d["residents"]["quorum"]["direct"].__setitem__("base", "present_or_not"),
     "residents.quorum.direct.base"),
    (lambda d: d["calendar"].__setitem__("end", "2015-02-30"), "calendar.end"),
    (lambda d: d.__setitem__("name", 2014), "name"),
], ids=["proxy_max", "handover_days", "bool-days", "strict", "base", "date", "name"])
def test_a_value_of_the_wrong_type_is_named_with_the_file(tmp_path: Path, change: Callable[[dict[str, Any]], None],
                                                          key: str):
    path = write(tmp_path, broken(change))
    with pytest.raises(RuleSetError) as err:
        load_rule_set_file(path)
    assert str(path) in str(err.value) and f"'{key}'" in str(err.value)


@pytest.mark.parametrize("change, key", [
    (lambda d: d["party"]["seats"].__setitem__("committee", [9, 7]), "party.seats.committee"),
    (lambda d: d["party"]["seats"].__setitem__("branch", [0, 5]), "party.seats.branch"),
    (lambda d: d["residents"].__setitem__("seats_total", [5]), "residents.seats_total"),
    (lambda d: d["party"]["quorum"].__setitem__("num", 6), "party.quorum"),
    (lambda d: d["party"]["win_first"].__setitem__("den", 0), "party.win_first.den"),
    (lambda d: d["residents"].__setitem__("voter_list_days", -20), "residents.voter_list_days"),
    (lambda d: d.__setitem__("complaint_days", 0), "complaint_days"),
    (lambda d: d.__setitem__("escalation_offsets_days", [14, 7, 0]), "escalation_offsets_days"),
    (lambda d: d.__setitem__("escalation_offsets_days", [0, 7]), "escalation_offsets_days"),
    (lambda d: d["calendar"].__setitem__("end", "2014-11-30"), "calendar.end"),
], ids=["committee", "zero-seats", "one-bound", "num>den", "den0", "negative", "zero-days", "descending",
        "two-levels", "end<start"])
def test_a_value_out_of_range_is_named_with_the_file(tmp_path: Path, change: Callable[[dict[str, Any]], None],
                                                     key: str):
    path = write(tmp_path, broken(change))
    with pytest.raises(RuleSetError) as err:
        load_rule_set_file(path)
    assert str(path) in str(err.value) and f"'{key}'" in str(err.value)


def test_a_file_that_is_not_json_is_refused_naming_the_file(tmp_path: Path):
    path = write(tmp_path, '{"name": "broken-2014", ')
    with pytest.raises(RuleSetError, match="not valid JSON") as err:
        load_rule_set_file(path)
    assert str(path) in str(err.value)


def test_a_file_that_is_not_an_object_is_refused(tmp_path: Path):
    with pytest.raises(RuleSetError, match="JSON object"):
        load_rule_set_file(write(tmp_path, "[1, 2]"))


def test_a_missing_file_is_refused(tmp_path: Path):
    with pytest.raises(RuleSetError, match="file not found"):
        load_rule_set_file(tmp_path / "nowhere.json")


def test_the_name_inside_must_match_the_file_name(tmp_path: Path):
    path = write(tmp_path, broken(lambda d: None), name="other-name")
    path.write_text(json.dumps({**SHIPPED, "name": "liaoning-2014"}), encoding="utf-8")
    with pytest.raises(RuleSetError, match=r"key 'name'.*must match the file name 'other-name'"):
        load_rule_set_file(path)


# ---------------------------------------------------------------- a second rule set is only a file

def test_the_test_rule_set_differs_from_the_shipped_one_only_in_the_party_quorum():
    shipped = load_rule_set_file(RULESET_DIR / "liaoning-2014.json")
    second = load_rule_set_file(TEST_RULESETS / "test-lenient-quorum.json")
    assert second.party.quorum == Threshold(2, 3, False, "present")
    same = replace(second, name=shipped.name, title=shipped.title, source=shipped.source,
                   party=replace(second.party, quorum=shipped.party.quorum))
    assert same == shipped


def test_a_registered_folder_makes_its_rule_sets_available(isolated_dirs: None):
    assert "test-lenient-quorum" not in available_rule_sets()
    with pytest.raises(RuleSetError):
        get_rule_set("test-lenient-quorum")
    register_rule_set_dir(TEST_RULESETS)
    register_rule_set_dir(TEST_RULESETS)  # registering twice is harmless
    assert available_rule_sets() == ["liaoning-2014", "national-2026", "test-lenient-quorum"]
    assert get_rule_set("test-lenient-quorum").party.quorum.num == 2
    assert ruleset._EXTRA_DIRS == [TEST_RULESETS]


def test_the_environment_variable_adds_rule_set_folders(isolated_dirs: None, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch):
    data = {**copy.deepcopy(SHIPPED), "name": "national-2020"}
    data["residents"]["voter_list_days"] = 25
    write(tmp_path, data, name="national-2020")
    monkeypatch.setenv(ruleset.RULESET_PATH_ENV, f"{tmp_path}{__import__('os').pathsep}{TEST_RULESETS}")
    assert available_rule_sets() == ["liaoning-2014", "national-2020", "national-2026", "test-lenient-quorum"]
    assert get_rule_set("national-2020").residents.voter_list_days == 25


def test_the_shipped_rule_set_cannot_be_shadowed_by_an_extra_folder(isolated_dirs: None, tmp_path: Path):
    data = copy.deepcopy(SHIPPED)
    data["party"]["proxy_max"] = 9
    write(tmp_path, data, name="liaoning-2014")
    register_rule_set_dir(tmp_path)
    assert get_rule_set("liaoning-2014").party.proxy_max == 0


def test_a_broken_extra_rule_set_fails_when_it_is_used_naming_its_file(isolated_dirs: None, tmp_path: Path):
    path = write(tmp_path, broken(lambda d: d["party"].pop("surplus")))
    register_rule_set_dir(tmp_path)
    with pytest.raises(RuleSetError) as err:
        get_rule_set("broken-2014")
    assert str(path) in str(err.value) and "'party.surplus'" in str(err.value)
    assert get_rule_set("liaoning-2014").name == "liaoning-2014"
