"""The dates a campaign's pages and reports count by: its report date and the year ages are computed at.

Every page, export and API answer reads them here, so a campaign's own `report_due` (issue 13) is the one
source; a campaign whose stored date lies before its own step dates (a rule set's 2015 date copied onto a
2026 campaign) gets the rule set's interval after its last step instead of a date years in the past.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from ..ruleset import get_rule_set


def _last_step_due(due: Optional[dict[str, Any]]) -> Optional[dt.date]:
    days = []
    for value in (due or {}).values():
        try:
            days.append(dt.date.fromisoformat(str(value)[:10]))
        except ValueError:
            continue
    return max(days) if days else None


def report_due(campaign: Any) -> dt.date:
    """The date every city's report is due: the campaign's own, else the rule set's interval after its steps."""
    rules = get_rule_set(campaign.rule_set)
    last = _last_step_due(campaign.due)
    own: Optional[dt.date] = campaign.report_due
    if own is not None and (last is None or own >= last):
        return own
    if last is None:
        return own or rules.report_due
    # the notice gives ten days between the end of the calendar (3-31) and the report (4-10)
    return last + max(rules.report_due - rules.calendar_end, dt.timedelta(0))


def age_reference_year(campaign: Any) -> int:
    """The year at which candidates' ages are counted: the campaign's reporting year."""
    return report_due(campaign).year
