"""The dates a campaign's pages and reports count by: its report date and the year ages are computed at.

Every page, export and API answer reads them here, so a campaign's own `report_due` (issue 13) is the one
source; a campaign without one is due its summary date + the rule set's days (domain.md §6).
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
    """The date every city's report is due (domain.md §6 rev. 2): the campaign's own `report_due`; else its
    summary due date + the rule set's `report_days_after_summary` (10: the notice's own gap, 3-31 → 4-10).

    A rule set's report date is only a suggestion shown when a campaign is created: it never decides one (the
    migration 0005 cleared the dates the first release had copied from it onto every campaign).
    """
    if campaign.report_due is not None:
        return campaign.report_due
    rules = get_rule_set(campaign.rule_set)
    gap = dt.timedelta(days=rules.report_days_after_summary)
    summary = (campaign.due or {}).get("summary")
    if summary:
        return dt.date.fromisoformat(str(summary)[:10]) + gap
    last = _last_step_due(campaign.due)
    return (last or rules.calendar_end) + gap


def age_reference_year(campaign: Any) -> int:
    """The year at which candidates' ages are counted: the campaign's reporting year."""
    return report_due(campaign).year
