"""Rule set national-2026 and the roll's pure rules (domain.md §10, §11, §15): each mechanism validated at load."""
from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any, Callable

import pytest

from workflow.identity import make_id_number
from workflow.roll import PersonProblems, add_months, add_years, check_person, of_age, resident_long_enough
from workflow.ruleset import RULESET_DIR, RollRules, RuleSetError, get_rule_set, load_rule_set_file, value_keys

SHIPPED = json.loads((RULESET_DIR / "national-2026.json").read_text(encoding="utf-8"))
RULES = RollRules(resident_min_months=12, allow_worker_registration=False, objection_days=5,
                  objection_decision_days=3)
DAY = dt.date(2026, 12, 6)


def load_changed(tmp_path: Path, change: Callable[[dict[str, Any]], None], templates: bool = True) -> Any:
    data = copy.deepcopy(SHIPPED)
    change(data)
    path = tmp_path / "national-2026.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    if templates:
        folder = tmp_path / "national-2026"
        folder.mkdir(exist_ok=True)
        for spec in sum(data.get("announcements", {}).values(), []):
            (folder / spec["template"]).write_text("x", encoding="utf-8")
    return load_rule_set_file(path)


def test_the_shipped_national_rule_set_loads_with_its_roll_calendar_announcements_and_joint_review():
    rules = get_rule_set("national-2026")
    assert rules.voter_roll and rules.roll == RollRules(12, True, 5, 3)
    assert rules.offset("preparation") == -25 and rules.offset("handover") == 10 and rules.offset("summary") is None
    assert [a.kind for a in rules.announcement_kinds("residents")] == [
        "election_notice", "voter_list", "proxy_list", "candidate_list", "result"]
    assert rules.announcement("residents", "voter_list").records == "voter_list_published_on"
    assert len(rules.joint_review.departments) == 8 and rules.report_due is None
    assert not get_rule_set("liaoning-2014").voter_roll


def test_every_value_of_the_national_rule_set_names_its_source():
    assert set(value_keys(SHIPPED)) <= set(SHIPPED["sources"])


@pytest.mark.parametrize("change, key", [
    (lambda d: d["sources"].pop("objection_days"), "sources"),
    (lambda d: d.update(objection_days=0), "objection_days"),
    (lambda d: d.pop("resident_min_months"), "resident_min_months"),
    (lambda d: d.update(allow_worker_registration="yes"), "allow_worker_registration"),
    (lambda d: d["calendar_offsets"].update(nomination=-30), "calendar_offsets"),
    (lambda d: d["calendar_offsets"].update(elsewhere=1), "calendar_offsets.elsewhere"),
    (lambda d: d["announcements"]["party"].append({"kind": "voter_list", "zh": "x", "en": "x",
                                                    "template": "x.html"}), "announcements.party[2].kind"),
    (lambda d: d["announcements"]["residents"][0].update(records="election_day"), "records"),
    (lambda d: d["joint_review"]["departments"].append({"code": "court", "zh": "x", "en": "x"}), "departments"),
    (lambda d: d["joint_review"]["negative_list"][0].pop("en"), "negative_list[0]"),
])
def test_a_bad_roll_value_is_refused_at_load_naming_its_key(tmp_path: Path, change: Any, key: str):
    with pytest.raises(RuleSetError, match=key.replace("[", r"\[").replace("]", r"\]")):
        load_changed(tmp_path, change)


def test_a_missing_template_is_refused_at_load(tmp_path: Path):
    with pytest.raises(RuleSetError, match="template 'election_notice.html' not found"):
        load_changed(tmp_path, lambda d: None, templates=False)


def test_18_years_are_counted_on_election_day_and_29_february_turns_on_1_march():
    assert of_age(dt.date(2008, 12, 6), DAY) and not of_age(dt.date(2008, 12, 7), DAY)
    assert add_years(dt.date(2008, 2, 29), 18) == dt.date(2026, 3, 1)
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert resident_long_enough(dt.date(2025, 12, 6), DAY, 12)
    assert not resident_long_enough(dt.date(2025, 12, 7), DAY, 12)


def test_a_person_is_checked_field_by_field_and_the_id_number_never_appears_in_a_problem():
    number = make_id_number("210102", dt.date(1990, 1, 1), 7)
    person = check_person({"name": "张三", "gender": "m", "id_number": number}, DAY, RULES, b"k", DAY)
    assert person.birth_date == dt.date(1990, 1, 1) and person.id_mask == number[:6] + "*" * 8 + number[-4:]
    assert number not in repr(person.as_dict())
    with pytest.raises(PersonProblems) as caught:
        check_person({"name": "", "gender": "x", "id_number": number[:-1] + "Z", "category": "worker",
                      "birth_date": "1991-01-01"}, DAY, RULES, b"k", DAY)
    assert set(caught.value.problems) == {"name", "gender", "id_number", "category"}
    assert number[:-1] not in str(caught.value)
    with pytest.raises(PersonProblems) as caught:
        check_person({"name": "李四", "gender": "f", "id_number": number, "birth_date": "1990-01-02"},
                     DAY, RULES, b"k", DAY)
    assert set(caught.value.problems) == {"birth_date"}
