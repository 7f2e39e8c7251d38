"""Rule sets: every number of the law as versioned data, validated at load."""
from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

RULESET_DIR = Path(__file__).parent / "rulesets"
#: extra rule-set folders (a second rule set needs only a new file): HUANJIE_RULESET_PATH (os.pathsep-separated)
#: and folders registered at run time with register_rule_set_dir(); the shipped folder is searched first
RULESET_PATH_ENV = "HUANJIE_RULESET_PATH"
_EXTRA_DIRS: list[Path] = []
MODES = ("direct", "household", "representative")
ORG_TYPES = ("committee", "general_branch", "branch")
#: a branch too small for a committee elects a secretary and at most one deputy (支部工作条例 2018)
SEAT_TYPES = ORG_TYPES + ("branch_no_committee",)
#: defaults of the keys added in rev. 2, so that a rule set written without them still validates
PARTY_DEFAULTS: dict[str, Any] = {
    "branch_no_committee": [1, 2], "branch_committee_min_members": 7, "write_ins": True,
    "min_elected": {"committee": 5, "general_branch": 5, "branch": 3, "branch_no_committee": 1},
}
RESIDENTS_DEFAULTS: dict[str, Any] = {"another_round_extra": 1, "write_ins": True}
#: the states a calendar offset may name (the machines' states that have a due date)
CALENDAR_STATES = ("preparation", "nomination", "candidate_meeting", "voting", "certification", "handover", "summary")
#: the announcements each body may publish (domain.md §11), and the date facts one may record
ANNOUNCEMENT_KINDS = {"residents": ("election_notice", "voter_list", "proxy_list", "candidate_list", "result"),
                      "party": ("candidate_slate", "result")}
RECORDED_FACTS = ("voter_list_published_on", "candidate_list_published_on")
#: keys that describe the file rather than hold a value (everything else needs a source)
META_KEYS = ("name", "title", "source", "sources", "verification")
#: values whose sub-keys are each a value with its own source
NESTED_VALUES = ("calendar", "party", "residents")


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
    #: the fewest elected for seats to be left vacant with the street's approval (the lower end of the range)
    min_elected: int = 5
    #: how many more than the open seats stand in an another round (VCL Art. 15: 得票多的为候选人)
    another_round_extra: int = 1
    write_ins: bool = True


@dataclass(frozen=True)
class PartyRules:
    """Numbers for a Party organization election (PR1990)."""

    seats: dict[str, tuple[int, int]]
    surplus: tuple[int, int]
    quorum: Threshold
    win_first: Threshold
    win_another: Threshold
    proxy_max: int
    #: a branch below branch_committee_min_members full members elects a secretary and at most one deputy
    seats_no_committee: tuple[int, int] = (1, 2)
    branch_committee_min_members: int = 7
    min_elected: dict[str, int] = field(default_factory=lambda: dict(PARTY_DEFAULTS["min_elected"]))
    write_ins: bool = True

    def seat_type(self, org_type: str, full_members: int) -> str:
        """Return the seat range's key: a branch below the committee minimum elects no committee.

        0 full members means the count is not recorded (no branch has none): the committee range applies.
        """
        if org_type == "branch" and 0 < full_members < self.branch_committee_min_members:
            return "branch_no_committee"
        return org_type

    def seat_range(self, seat_type: str) -> tuple[int, int]:
        """Return the seat range of an organization type, or of a branch without a committee."""
        return self.seats_no_committee if seat_type == "branch_no_committee" else self.seats[seat_type]

    def min_candidates(self, seats: int) -> int:
        """Return seats plus the surplus share rounded up, in integers (7 → 9, 5 → 6)."""
        num, den = self.surplus
        return seats + (seats * num + den - 1) // den


@dataclass(frozen=True)
class RollRules:
    """The voter roll's numbers (domain.md §10): residence, workers, objections."""

    resident_min_months: int
    allow_worker_registration: bool
    objection_days: int
    objection_decision_days: int


@dataclass(frozen=True)
class AnnouncementSpec:
    """One announcement a body publishes (domain.md §11): kind, labels, template, the date fact it records."""

    kind: str
    zh: str
    en: str
    template: str
    records: Optional[str] = None


@dataclass(frozen=True)
class Labelled:
    """A code with its Chinese and English labels."""

    code: str
    zh: str
    en: str


@dataclass(frozen=True)
class JointReview:
    """资格联审 (domain.md §12): the departments that review and the negative list of grounds."""

    departments: tuple[Labelled, ...]
    negative_list: tuple[Labelled, ...]


@dataclass(frozen=True)
class RuleSet:
    """A named, validated rule set."""

    name: str
    title: dict[str, str]
    source: str
    calendar_start: dt.date
    calendar_end: dt.date
    #: only a suggestion shown when a campaign is created; a campaign's report date is its own (domain.md §6)
    report_due: Optional[dt.date]
    report_to: tuple[str, ...]
    #: a campaign that sets no report date is due this many days after its summary due date (domain.md §6)
    report_days_after_summary: int
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
    #: the voter roll and what it needs (domain.md §10-§12); off and empty where the rule set has none
    roll: Optional[RollRules] = None
    calendar_offsets: tuple[tuple[str, int], ...] = ()
    announcements: tuple[tuple[str, tuple[AnnouncementSpec, ...]], ...] = ()
    joint_review: Optional[JointReview] = None
    sources: tuple[tuple[str, str], ...] = ()
    verification: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: where the file's templates are, and its data as written (provenance: not compared between rule sets)
    folder: Optional[Path] = field(default=None, compare=False)
    data: tuple[tuple[str, Any], ...] = field(default=(), compare=False)

    @property
    def voter_roll(self) -> bool:
        """Whether the residents' election keeps a voter roll (domain.md §10)."""
        return self.roll is not None

    def offset(self, state: str) -> Optional[int]:
        """Return the calendar offset of a state from election day, or None."""
        return dict(self.calendar_offsets).get(state)

    def announcement_kinds(self, body: str) -> tuple[AnnouncementSpec, ...]:
        """Return the announcements a body publishes under this rule set."""
        return dict(self.announcements).get(body, ())

    def announcement(self, body: str, kind: str) -> Optional[AnnouncementSpec]:
        """Return one announcement spec of a body, or None."""
        return next((a for a in self.announcement_kinds(body) if a.kind == kind), None)

    def as_published(self) -> dict[str, Any]:
        """Return the rule set's data as its file holds it, with the sources (GET /rule-sets/<name>)."""
        out = {k: v for k, v in self.data}
        out["sources"] = dict(self.sources)
        return out

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

    def bool_(self, data: dict[str, Any], key: str, path: str, default: bool) -> bool:
        value = data.get(key, default) if isinstance(data, dict) else default
        if not isinstance(value, bool):
            raise self.fail(f"{path}.{key}", f"must be true or false, got {value!r}")
        return value

    def int_or(self, data: dict[str, Any], key: str, path: str, default: int, minimum: int = 0) -> int:
        if not isinstance(data, dict) or key not in data:
            return default
        return self.int_(data, key, path, minimum)

    def residents(self, data: dict[str, Any], path: str) -> ResidentsRules:
        quorum_raw = self.get(data, "quorum", path)
        seats_total = self.range_(data, "seats_total", path)
        min_elected = self.int_or(data, "min_elected", path, seats_total[0], 1)
        if min_elected > seats_total[1]:
            raise self.fail(f"{path}.min_elected", "must not exceed the most seats")
        quorum = {mode: self.threshold(quorum_raw, mode, f"{path}.quorum", base=True) for mode in MODES}
        return ResidentsRules(
            seats_total=seats_total,
            quorum=quorum,
            win_first=self.threshold(data, "win_first", path, base=True),
            win_another=self.threshold(data, "win_another", path, base=True),
            voter_list_days=self.int_(data, "voter_list_days", path),
            candidate_list_days=self.int_(data, "candidate_list_days", path),
            proxy_max=self.int_(data, "proxy_max", path),
            min_elected=min_elected,
            another_round_extra=self.int_or(data, "another_round_extra", path,
                                            RESIDENTS_DEFAULTS["another_round_extra"]),
            write_ins=self.bool_(data, "write_ins", path, RESIDENTS_DEFAULTS["write_ins"]),
        )

    def party_extras(self, party_raw: dict[str, Any], seats: dict[str, tuple[int, int]]) -> dict[str, Any]:
        """The rev. 2 party keys, each with its default when the file has none."""
        raw_min = party_raw.get("min_elected", PARTY_DEFAULTS["min_elected"])
        if not isinstance(raw_min, dict):
            raise self.fail("party.min_elected", "must be an object {organization type: count}")
        min_elected = {}
        for t in SEAT_TYPES:
            value = raw_min.get(t, PARTY_DEFAULTS["min_elected"][t])
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= seats[t][1]:
                raise self.fail(f"party.min_elected.{t}", f"must be an integer from 1 to {seats[t][1]}, got {value!r}")
            min_elected[t] = value
        return {"branch_committee_min_members": self.int_or(party_raw, "branch_committee_min_members", "party",
                                                            PARTY_DEFAULTS["branch_committee_min_members"], 1),
                "min_elected": min_elected,
                "write_ins": self.bool_(party_raw, "write_ins", "party", PARTY_DEFAULTS["write_ins"])}


def _bool(r: _Reader, data: dict[str, Any], key: str) -> bool:
    value = r.get(data, key, "")
    if not isinstance(value, bool):
        raise r.fail(key, "must be true or false")
    return value


def _labelled(r: _Reader, raw: Any, path: str) -> tuple[Labelled, ...]:
    if not isinstance(raw, list) or not raw:
        raise r.fail(path, "must be a non-empty list of {code, zh, en}")
    out: list[Labelled] = []
    for i, item in enumerate(raw):
        if (not isinstance(item, dict) or set(item) != {"code", "zh", "en"}
                or not all(isinstance(item[k], str) and item[k].strip() for k in ("code", "zh", "en"))):
            raise r.fail(f"{path}[{i}]", "must be {code, zh, en} with non-empty strings")
        out.append(Labelled(item["code"], item["zh"], item["en"]))
    codes = [x.code for x in out]
    if len(set(codes)) != len(codes):
        raise r.fail(path, "codes must be unique")
    return tuple(out)


def _roll(r: _Reader, data: dict[str, Any]) -> Optional[RollRules]:
    if not data.get("voter_roll", False):
        if data.get("voter_roll", False) is not False:
            raise r.fail("voter_roll", "must be true or false")
        return None
    _bool(r, data, "voter_roll")
    return RollRules(resident_min_months=r.int_(data, "resident_min_months", "", 0),
                     allow_worker_registration=_bool(r, data, "allow_worker_registration"),
                     objection_days=r.int_(data, "objection_days", "", 1),
                     objection_decision_days=r.int_(data, "objection_decision_days", "", 1))


def _offsets(r: _Reader, data: dict[str, Any]) -> tuple[tuple[str, int], ...]:
    raw = data.get("calendar_offsets")
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not raw:
        raise r.fail("calendar_offsets", "must be an object {state: days from election day}")
    out = []
    for state, days in raw.items():
        if state not in CALENDAR_STATES:
            raise r.fail(f"calendar_offsets.{state}", f"is not a state with a due date ({', '.join(CALENDAR_STATES)})")
        if not isinstance(days, int) or isinstance(days, bool) or not -366 <= days <= 366:
            raise r.fail(f"calendar_offsets.{state}", f"must be an integer from -366 to 366, got {days!r}")
        out.append((state, days))
    ordered = [d for st in CALENDAR_STATES for s2, d in out if s2 == st]
    if ordered != sorted(ordered):
        raise r.fail("calendar_offsets", "must not decrease from one state to the next")
    return tuple(out)


def _announcements(r: _Reader, data: dict[str, Any],
                   folder: Optional[Path]) -> tuple[tuple[str, tuple[AnnouncementSpec, ...]], ...]:
    raw = data.get("announcements")
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise r.fail("announcements", "must be an object {body: [announcements]}")
    out = []
    for body, items in raw.items():
        if body not in ANNOUNCEMENT_KINDS:
            raise r.fail(f"announcements.{body}", "must be 'residents' or 'party'")
        if not isinstance(items, list):
            raise r.fail(f"announcements.{body}", "must be a list")
        specs: list[AnnouncementSpec] = []
        for i, item in enumerate(items):
            path = f"announcements.{body}[{i}]"
            if not isinstance(item, dict) or not {"kind", "zh", "en", "template"} <= set(item):
                raise r.fail(path, "must have kind, zh, en and template")
            if item["kind"] not in ANNOUNCEMENT_KINDS[body]:
                raise r.fail(f"{path}.kind", f"must be one of {', '.join(ANNOUNCEMENT_KINDS[body])}")
            if item["kind"] in (x.kind for x in specs):
                raise r.fail(f"{path}.kind", "is listed twice")
            records = item.get("records")
            if records is not None and records not in RECORDED_FACTS:
                raise r.fail(f"{path}.records", f"must be one of {', '.join(RECORDED_FACTS)}")
            template = item["template"]
            if not isinstance(template, str) or "/" in template or "\\" in template or template.startswith("."):
                raise r.fail(f"{path}.template", "must be a file name in the rule set's folder")
            if folder is not None and not (folder / template).is_file():
                raise r.fail(f"{path}.template", f"template '{template}' not found in {folder}")
            specs.append(AnnouncementSpec(item["kind"], str(item["zh"]), str(item["en"]), template, records))
        out.append((body, tuple(specs)))
    return tuple(out)


def _joint_review(r: _Reader, data: dict[str, Any]) -> Optional[JointReview]:
    raw = data.get("joint_review")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise r.fail("joint_review", "must be an object {departments, negative_list}")
    return JointReview(_labelled(r, r.get(raw, "departments", "joint_review"), "joint_review.departments"),
                       _labelled(r, r.get(raw, "negative_list", "joint_review"), "joint_review.negative_list"))


def value_keys(data: dict[str, Any]) -> list[str]:
    """Return the dotted keys of a rule set's values (each needs a source): top-level keys, and one level down
    in calendar, party and residents."""
    keys: list[str] = []
    for key, value in data.items():
        if key in META_KEYS:
            continue
        if key in NESTED_VALUES and isinstance(value, dict):
            keys.extend(f"{key}.{sub}" for sub in value)
        else:
            keys.append(key)
    return keys


def _sources(r: _Reader, data: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    raw = data.get("sources")
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not all(isinstance(v, str) and v.strip() for v in raw.values()):
        raise r.fail("sources", "must be an object {dotted key: citation}")
    missing = [k for k in value_keys(data) if k not in raw]
    if missing:
        raise r.fail("sources", f"no source for {', '.join(missing)}")
    return tuple((str(k), v) for k, v in raw.items())


def _verification(r: _Reader, data: dict[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    raw = data.get("verification")
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not all(isinstance(v, list) and all(isinstance(x, str) for x in v)
                                            for v in raw.values()):
        raise r.fail("verification", "must be an object {verified|provincial_defaults|not_verified: [keys]}")
    return tuple((k, tuple(v)) for k, v in raw.items())


def parse_rule_set(data: dict[str, Any], origin: str, folder: Optional[Path] = None) -> RuleSet:
    """Validate raw rule-set data and build a RuleSet; errors name origin and key.

    folder is where the rule set's announcement templates live (the file's `<name>/` folder)."""
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
    seats = {t: r.range_(seats_raw, t, "party.seats") for t in ORG_TYPES}
    no_committee = (r.range_(seats_raw, "branch_no_committee", "party.seats")
                    if isinstance(seats_raw, dict) and "branch_no_committee" in seats_raw
                    else (PARTY_DEFAULTS["branch_no_committee"][0], PARTY_DEFAULTS["branch_no_committee"][1]))
    party = PartyRules(
        seats=seats, seats_no_committee=no_committee,
        surplus=(r.int_(r.get(party_raw, "surplus", "party"), "num", "party.surplus", 0),
                 r.int_(r.get(party_raw, "surplus", "party"), "den", "party.surplus", 1)),
        quorum=r.threshold(party_raw, "quorum", "party", base=True),
        win_first=r.threshold(party_raw, "win_first", "party", base=True),
        win_another=r.threshold(party_raw, "win_another", "party", base=True),
        proxy_max=r.int_(party_raw, "proxy_max", "party"),
        **r.party_extras(party_raw, {**seats, "branch_no_committee": no_committee}),
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
        report_due=r.date(cal, "report_due", "calendar") if isinstance(cal, dict) and cal.get("report_due") else None,
        report_to=tuple(cal.get("report_to", ())),
        report_days_after_summary=r.int_or(cal, "report_days_after_summary", "calendar", 10),
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
        roll=_roll(r, data),
        calendar_offsets=_offsets(r, data),
        announcements=_announcements(r, data, folder),
        joint_review=_joint_review(r, data),
        sources=_sources(r, data),
        verification=_verification(r, data),
        folder=folder,
        data=tuple((k, v) for k, v in data.items() if k not in ("sources",)),
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
    rules = parse_rule_set(data, str(path), path.parent / path.stem)
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
