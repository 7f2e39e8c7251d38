"""The fact table of domain.md §4: each key's type, the bodies that have it, who records it."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .errors import InvalidRequest

BOTH = ("party", "residents")
PARTY = ("party",)
RESIDENTS = ("residents",)


@dataclass(frozen=True)
class FactSpec:
    """A fact key: its type ('bool', 'date' or 'enum'), bodies and recording role."""

    key: str
    type: str
    bodies: tuple[str, ...]
    choices: tuple[str, ...] = ()
    recorder: str = "any"  # any | supervisor | supervisor_city
    zh: str = ""
    en: str = ""


def _specs() -> dict[str, FactSpec]:
    rows: list[FactSpec] = []

    def add(keys: str, type_: str, bodies: tuple[str, ...], **kw: Any) -> None:
        for key in keys.split():
            rows.append(FactSpec(key, type_, bodies, **kw))

    add("leadership_group_formed work_plan_approved contingency_plan_filed staff_trained "
        "publicity_done funding_secured", "bool", BOTH)
    add("org_setup_confirmed member_mass_recommendation_done superior_recommendation_done "
        "candidate_list_reported candidates_introduced secretary_approved",
        "bool", PARTY)
    add("seats_exception_approved candidate_list_approved", "bool", PARTY, recorder="supervisor")
    add("election_committee_formed qualification_rules_set voter_objections_resolved", "bool", RESIDENTS)
    add("election_mode", "enum", RESIDENTS, choices=("direct", "household", "representative"))
    add("election_day voter_list_published_on candidate_list_published_on candidate_meeting_held",
        "date", RESIDENTS)
    add("polling_arrangements_ready public_count_done result_announced result_filed handover_done "
        "new_cadres_trained term_plan_made annual_plan_made disclosure_system_set "
        "unsuccessful_candidates_talked summary_written", "bool", BOTH)
    add("inspection_accepted", "bool", BOTH, recorder="supervisor_city")
    # the street's approval to leave the remaining seats vacant (减少名额/暂缺), domain.md §4.4 (rev. 2)
    add("vacancy_approved", "bool", BOTH, recorder="supervisor")
    return {s.key: s for s in rows}


FACTS: dict[str, FactSpec] = _specs()


def facts_for(body: str) -> list[FactSpec]:
    """Return the fact specs of one body, in table order."""
    return [s for s in FACTS.values() if body in s.bodies]


def parse_fact_value(body: str, key: str, value: Any) -> Any:
    """Check a fact value against its type; return the stored form (bool, ISO date str, choice or None)."""
    spec = FACTS.get(key)
    if spec is None or body not in spec.bodies:
        raise InvalidRequest.one(key, f"'{key}' is not a fact of a {body} election",
                                 f"“{key}”不是该类选举的事实项")
    if value is None:
        return None
    if spec.type == "bool":
        if not isinstance(value, bool):
            raise InvalidRequest.one("value", "must be true or false", "必须为 true 或 false")
        return value
    if spec.type == "date":
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                parsed = dt.date.fromisoformat(value) if len(value) == 10 else None
                if parsed is not None and 1900 <= parsed.year <= 2999:
                    return parsed.isoformat()
            except ValueError:
                pass
        _bad_date()
    if value not in spec.choices:
        raise InvalidRequest.one("value", f"must be one of {', '.join(spec.choices)}",
                                 f"必须是以下之一：{'、'.join(spec.choices)}")
    return value


def _bad_date() -> Any:
    raise InvalidRequest.one("value", "must be a valid date YYYY-MM-DD", "必须是有效日期（YYYY-MM-DD）")


def fact_date(value: Any) -> dt.date | None:
    """Return a stored date fact as a date, or None."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None
