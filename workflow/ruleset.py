"""Rule sets: every number of the law as versioned data, validated at load."""
from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

RULESET_DIR = Path(__file__).parent / "rulesets"
#: extra rule-set folders (a second rule set needs only a new file): HUANJIE_RULESET_PATH (os.pathsep-separated)
#: and folders registered at run time with register_rule_set_dir(); the shipped folder is searched first
RULESET_PATH_ENV = "HUANJIE_RULESET_PATH"
_EXTRA_DIRS: list[Path] = []
MODES = ("direct", "household", "representative")
ORG_TYPES = ("committee", "general_branch", "branch")


class RuleSetError(ValueError):
    """A rule set file is missing, malformed or has a bad value."""


@dataclass(frozen=True)
class Threshold:
    """A fraction num/den that a value must exceed (strict) or reach."""

    num: int
    den: int
    strict: bool
    base: str = ""

    def met(self, value: int, base: int) -> bool:
        """Return whether value passes the threshold of base, in integers."""
        lhs, rhs = value * self.den, base * self.num
        return lhs > rhs if self.strict else lhs >= rhs


@dataclass(frozen=True)
class ResidentsRules:
    """Numbers for a residents' election (RCL, or the village law for unreformed villages)."""

    seats_total: tuple[int, int]
    quorum: dict[str, Threshold]
    win_first: Threshold
    win_another: Threshold
    voter_list_days: int
    candidate_list_days: int
    proxy_max: int


@dataclass(frozen=True)
class PartyRules:
    """Numbers for a Party organization election (PR1990)."""

    seats: dict[str, tuple[int, int]]
    surplus: tuple[int, int]
    quorum: Threshold
    win_first: Threshold
    win_another: Threshold
    proxy_max: int

    def min_candidates(self, seats: int) -> int:
        """Return seats plus the surplus share rounded up, in integers (7 → 9, 5 → 6)."""
        num, den = self.surplus
        return seats + (seats * num + den - 1) // den


@dataclass(frozen=True)
class RuleSet:
    """A named, validated rule set."""

    name: str
    title: dict[str, str]
    source: str
    calendar_start: dt.date
    calendar_end: dt.date
    report_due: dt.date
    report_to: tuple[str, ...]
    report_copied: tuple[str, ...]
    party: PartyRules
    residents: ResidentsRules
    village_law: ResidentsRules
    complaint_days: int
    handover_days: int
    suspension_review_days: int
    escalation_offsets_days: tuple[int, ...]
    dossier_fallback_days: int
    incident_ack_days: int
    #: the residents' women-member advisory (VCL Art. 6; provincial measures): `residents.advise_woman_member`
    advise_woman_member: bool = True

    def residents_rules(self, village_law: bool) -> ResidentsRules:
        """Return the residents' rules, under the village law when it applies."""
        return self.village_law if village_law else self.residents


class _Reader:
    """Reads typed values out of nested dicts, naming file and key on failure."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, key: str, problem: str) -> RuleSetError:
        return RuleSetError(f"{self.origin}: key '{key}': {problem}")

    def get(self, data: dict[str, Any], key: str, path: str) -> Any:
        full = f"{path}.{key}" if path else key
        if not isinstance(data, dict) or key not in data:
            raise self.fail(full, "missing")
        return data[key]

    def int_(self, data: dict[str, Any], key: str, path: str = "", minimum: int = 0) -> int:
        value = self.get(data, key, path)
        full = f"{path}.{key}" if path else key
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise self.fail(full, f"must be an integer >= {minimum}, got {value!r}")
        return value

    def date(self, data: dict[str, Any], key: str, path: str = "") -> dt.date:
        value = self.get(data, key, path)
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            raise self.fail(f"{path}.{key}" if path else key, f"must be a date YYYY-MM-DD, got {value!r}") from None

    def range_(self, data: dict[str, Any], key: str, path: str) -> tuple[int, int]:
        value = self.get(data, key, path)
        full = f"{path}.{key}"
        if (not isinstance(value, list) or len(value) != 2
                or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
                or value[0] > value[1]):
            raise self.fail(full, f"must be [min, max] positive integers with min <= max, got {value!r}")
        return (value[0], value[1])

    def threshold(self, data: dict[str, Any], key: str, path: str, base: bool = False) -> Threshold:
        raw = self.get(data, key, path)
        full = f"{path}.{key}" if path else key
        num = self.int_(raw, "num", full, 1)
        den = self.int_(raw, "den", full, 1)
        if num > den:
            raise self.fail(full, "num must not exceed den")
        strict = self.get(raw, "strict", full)
        if not isinstance(strict, bool):
            raise self.fail(f"{full}.strict", "must be true or false")
        base_value = ""
        if base:
            base_value = self.get(raw, "base", full)
            if base_value not in ("present", "returned"):
                raise self.fail(f"{full}.base", "must be 'present' or 'returned'")
        return Threshold(num, den, strict, base_value)

    def residents(self, data: dict[str, Any], path: str) -> ResidentsRules:
        quorum_raw = self.get(data, "quorum", path)
        quorum = {mode: self.threshold(quorum_raw, mode, f"{path}.quorum", base=True) for mode in MODES}
        return ResidentsRules(
            seats_total=self.range_(data, "seats_total", path),
            quorum=quorum,
            win_first=self.threshold(data, "win_first", path, base=True),
            win_another=self.threshold(data, "win_another", path, base=True),
            voter_list_days=self.int_(data, "voter_list_days", path),
            candidate_list_days=self.int_(data, "candidate_list_days", path),
            proxy_max=self.int_(data, "proxy_max", path),
        )


def parse_rule_set(data: dict[str, Any], origin: str) -> RuleSet:
    """Validate raw rule-set data and build a RuleSet; errors name origin and key."""
    r = _Reader(origin)
    name = r.get(data, "name", "")
    if not isinstance(name, str) or not name:
        raise r.fail("name", "must be a non-empty string")
    title = r.get(data, "title", "")
    if not isinstance(title, dict) or not {"zh", "en"} <= set(title):
        raise r.fail("title", "must have 'zh' and 'en'")
    cal = r.get(data, "calendar", "")
    party_raw = r.get(data, "party", "")
    seats_raw = r.get(party_raw, "seats", "party")
    party = PartyRules(
        seats={t: r.range_(seats_raw, t, "party.seats") for t in ORG_TYPES},
        surplus=(r.int_(r.get(party_raw, "surplus", "party"), "num", "party.surplus", 0),
                 r.int_(r.get(party_raw, "surplus", "party"), "den", "party.surplus", 1)),
        quorum=r.threshold(party_raw, "quorum", "party", base=True),
        win_first=r.threshold(party_raw, "win_first", "party", base=True),
        win_another=r.threshold(party_raw, "win_another", "party", base=True),
        proxy_max=r.int_(party_raw, "proxy_max", "party"),
    )
    res_raw = r.get(data, "residents", "")
    residents = r.residents(res_raw, "residents")
    village = r.residents(r.get(res_raw, "village_law", "residents"), "residents.village_law")
    offsets_raw = r.get(data, "escalation_offsets_days", "")
    if (not isinstance(offsets_raw, list) or len(offsets_raw) != 3
            or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in offsets_raw)
            or sorted(offsets_raw) != offsets_raw):
        raise r.fail("escalation_offsets_days", "must be three ascending non-negative integers (levels 1-3)")
    start, end = r.date(cal, "start", "calendar"), r.date(cal, "end", "calendar")
    if end < start:
        raise r.fail("calendar.end", "must not be before calendar.start")
    return RuleSet(
        name=name,
        title=dict(title),
        source=str(data.get("source", "")),
        calendar_start=start,
        calendar_end=end,
        report_due=r.date(cal, "report_due", "calendar"),
        report_to=tuple(cal.get("report_to", ())),
        report_copied=tuple(cal.get("report_copied", ())),
        party=party,
        residents=residents,
        village_law=village,
        complaint_days=r.int_(data, "complaint_days", "", 1),
        handover_days=r.int_(data, "handover_days", "", 1),
        suspension_review_days=r.int_(data, "suspension_review_days", "", 1),
        escalation_offsets_days=tuple(offsets_raw),
        dossier_fallback_days=r.int_(data, "dossier_fallback_days", "", 1),
        incident_ack_days=r.int_(data, "incident_ack_days", "", 0),
        advise_woman_member=_switch(r, res_raw, "advise_woman_member", "residents"),
    )


def _switch(r: _Reader, data: dict[str, Any], key: str, path: str, default: bool = True) -> bool:
    """Read an optional true/false switch (absent: the default)."""
    value = data.get(key, default) if isinstance(data, dict) else default
    if not isinstance(value, bool):
        raise r.fail(f"{path}.{key}", f"must be true or false, got {value!r}")
    return value


def load_rule_set_file(path: Path) -> RuleSet:
    """Load and validate one rule-set file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RuleSetError(f"{path}: file not found") from None
    except json.JSONDecodeError as exc:
        raise RuleSetError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise RuleSetError(f"{path}: must hold a JSON object")
    rules = parse_rule_set(data, str(path))
    if rules.name != path.stem:
        raise RuleSetError(f"{path}: key 'name': '{rules.name}' must match the file name '{path.stem}'")
    return rules


def rule_set_dirs() -> list[Path]:
    """Return the folders searched for rule sets: shipped, registered, then HUANJIE_RULESET_PATH."""
    env = [Path(p) for p in os.environ.get(RULESET_PATH_ENV, "").split(os.pathsep) if p.strip()]
    out: list[Path] = []
    for folder in (RULESET_DIR, *_EXTRA_DIRS, *env):
        if folder not in out:
            out.append(folder)
    return out


def register_rule_set_dir(path: str | Path) -> None:
    """Add a folder of rule-set files (each `<name>.json`), searched after the shipped one."""
    folder = Path(path)
    if folder not in _EXTRA_DIRS:
        _EXTRA_DIRS.append(folder)
    get_rule_set.cache_clear()


def _rule_set_files() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder in rule_set_dirs():
        for path in sorted(folder.glob("*.json")):
            found.setdefault(path.stem, path)
    return found


def available_rule_sets() -> list[str]:
    """Return the names of the rule sets shipped with the package or found in the extra folders."""
    return sorted(_rule_set_files())


@lru_cache(maxsize=32)
def get_rule_set(name: str) -> RuleSet:
    """Return the named rule set, loaded once per process."""
    files = _rule_set_files()
    if name not in files:
        raise RuleSetError(f"unknown rule set '{name}' (available: {', '.join(sorted(files))})")
    return load_rule_set_file(files[name])
