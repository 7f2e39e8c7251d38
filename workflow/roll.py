"""Who may be on a voter roll (domain.md §10): age on election day, category, residence, the id number.

Pure functions, no database: registration, the import and an upheld objection all check a person here, so the
three apply the same rules. Problems are per field, in English and Chinese, and never repeat the id number.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional

from .identity import PROBLEM_TEXT, InvalidIdNumber, birth_date_of, id_hash, mask_id_number, validate_id_number
from .ruleset import RollRules

VOTING_AGE = 18  # RCL 2025 / RCL 2018 Art. 8: 年满十八周岁 (the Constitution's age, not a rule-set value)
CATEGORIES = ("hukou", "resident", "worker")
GENDERS = ("f", "m")
FIELDS = ("name", "gender", "birth_date", "id_number", "household", "group", "category", "resident_since")


@dataclass(frozen=True)
class Person:
    """A checked voter: what is stored (the id number only as its keyed hash and its mask)."""

    name: str
    gender: str
    birth_date: dt.date
    id_hash: str
    id_mask: str
    household: Optional[str]
    group: Optional[str]
    category: str
    resident_since: Optional[dt.date]

    def as_dict(self) -> dict[str, Any]:
        """Return the person as the API shows it (masked id number)."""
        return {"name": self.name, "gender": self.gender, "birth_date": self.birth_date.isoformat(),
                "id_number": self.id_mask, "household": self.household, "group": self.group,
                "category": self.category,
                "resident_since": self.resident_since.isoformat() if self.resident_since else None}

    def stored(self) -> dict[str, Any]:
        """Return the person as JSON for an objection's record (hash and mask, never the number)."""
        return {**self.as_dict(), "id_hash": self.id_hash}


def add_years(day: dt.date, years: int) -> dt.date:
    """Return the same calendar day years later; 29 February becomes 1 March in a common year (周岁)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """Return the same day of the month months later (the month's last day when it has fewer days)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError("unreachable")


def of_age(birth: dt.date, election_day: dt.date) -> bool:
    """Return whether someone born on birth is 18 or more on election day (the 18th birthday counts)."""
    return add_years(birth, VOTING_AGE) <= election_day


def resident_long_enough(since: dt.date, election_day: dt.date, months: int) -> bool:
    """Return whether residence from since reaches the rule set's months by election day."""
    return add_months(since, months) <= election_day


class PersonProblems(Exception):
    """The person cannot be registered: {field: (en, zh)}."""

    def __init__(self, problems: dict[str, tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{k}: {v[0]}" for k, v in problems.items()))
        self.problems = problems


def _text(raw: dict[str, Any], name: str, max_len: int, required: bool, out: dict[str, tuple[str, str]]
          ) -> Optional[str]:
    value = raw.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            out[name] = ("is required", "必填")
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        out[name] = ("must be a string", "必须是文本")
        return None
    value = value.strip()
    if len(value) > max_len or any(ord(ch) < 32 for ch in value):
        out[name] = (f"must be at most {max_len} characters without control characters",
                     f"不能超过{max_len}个字符，且不能含控制字符")
        return None
    return value


def _date(raw: dict[str, Any], name: str, out: dict[str, tuple[str, str]]) -> Optional[dt.date]:
    value = raw.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        parsed: Optional[dt.date] = value
    else:
        parsed = None
        if isinstance(value, str) and len(value.strip()) == 10:
            try:
                parsed = dt.date.fromisoformat(value.strip().replace("/", "-"))
            except ValueError:
                parsed = None
    if parsed is None or not 1900 <= parsed.year <= 2999:
        out[name] = ("must be a valid date YYYY-MM-DD", "必须是有效日期（YYYY-MM-DD）")
        return None
    return parsed


def check_person(raw: dict[str, Any], election_day: dt.date, rules: RollRules, key: bytes,
                 today: dt.date) -> Person:
    """Check a person against the roll's rules; return what is stored, or raise PersonProblems (every field)."""
    out: dict[str, tuple[str, str]] = {}
    if not isinstance(raw, dict):
        raise PersonProblems({"body": ("must be a JSON object", "必须是 JSON 对象")})
    unknown = sorted(set(raw) - set(FIELDS))
    for name in unknown:
        out[name] = ("unknown field", "未知字段")
    name = _text(raw, "name", 100, True, out)
    gender = raw.get("gender")
    if gender not in GENDERS:
        out["gender"] = ("must be f or m", "必须是 f（女）或 m（男）")
    category = raw.get("category", "hukou") or "hukou"
    if category not in CATEGORIES:
        out["category"] = ("must be one of hukou, resident, worker", "必须是以下之一：hukou、resident、worker")
    elif category == "worker" and not rules.allow_worker_registration:
        out["category"] = ("this rule set does not register community workers where they work",
                           "本规则不允许社区工作者在工作地登记")
    household = _text(raw, "household", 60, False, out)
    group = _text(raw, "group", 60, False, out)
    birth = _date(raw, "birth_date", out)
    since = _date(raw, "resident_since", out)
    number: Optional[str] = None
    try:
        number = validate_id_number(raw.get("id_number"))
    except InvalidIdNumber as exc:
        en_zh = PROBLEM_TEXT.get(str(exc), ("身份证号无效", "the id number is not valid"))
        out["id_number"] = (en_zh[1], en_zh[0])
    if number is not None:
        encoded = birth_date_of(number)
        if encoded > today:
            out["id_number"] = ("the birth date inside the id number is in the future", "身份证号中的出生日期晚于今天")
        if birth is None and "birth_date" not in out:
            birth = encoded
        elif birth is not None and birth != encoded:
            out["birth_date"] = ("does not match the birth date inside the id number", "与身份证号中的出生日期不一致")
    if birth is not None and "birth_date" not in out and not of_age(birth, election_day):
        out["birth_date"] = (f"under {VOTING_AGE} on election day ({election_day.isoformat()})",
                             f"选举日（{election_day.isoformat()}）未满{VOTING_AGE}周岁")
    if category == "resident" and "category" not in out:
        if since is None and "resident_since" not in out:
            out["resident_since"] = ("is required for a resident without hukou here", "户籍不在本社区的居民须填写居住起始日期")
        elif since is not None and since > today:
            out["resident_since"] = ("must not be in the future", "不能晚于今天")
        elif since is not None and not resident_long_enough(since, election_day, rules.resident_min_months):
            out["resident_since"] = (
                f"residence must reach {rules.resident_min_months} months by election day "
                f"({election_day.isoformat()})",
                f"截至选举日（{election_day.isoformat()}）在本社区居住须满{rules.resident_min_months}个月")
    elif since is not None and category != "resident":
        since = None  # only a resident's residence counts; the others' is not kept
    if out:
        raise PersonProblems(out)
    assert name is not None and number is not None and birth is not None
    return Person(name=name, gender=str(gender), birth_date=birth, id_hash=id_hash(key, number),
                  id_mask=mask_id_number(number), household=household, group=group, category=str(category),
                  resident_since=since)
