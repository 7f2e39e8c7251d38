"""An election's papers as the pages show them: kind labels and the list grouped by step (no routes here)."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from .i18n import label_of

KIND_LABELS = {"minutes": "Meeting minutes", "count_sheet": "Count sheet", "photo": "Photograph of the count",
               "announcement": "Signed announcement", "other": "Other paper"}


def kind_label(kind: str) -> str:
    """The paper kind's label in the current language."""
    return _(KIND_LABELS.get(kind, kind))


def papers_by_step(papers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Group an election's papers by the step they were uploaded in (in the order the steps were reached)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for p in papers:
        groups.setdefault(p["step"], []).append({**p, "kind_label": kind_label(p["kind"])})
    return [{"step": step, "label": label_of("state", step), "items": items} for step, items in groups.items()]
