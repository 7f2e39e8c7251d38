"""Languages: catalogues compiled on demand, Chinese date formats, domain labels and template helpers."""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any, Optional

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, get_flashed_messages, request, url_for
from flask_login import current_user
from markupsafe import Markup

from workflow import labels as L
from workflow.clock import SHANGHAI

from .common import lang

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def compile_catalogues(source: Path = TRANSLATIONS, target: Optional[Path] = None) -> list[Path]:
    """Compile every messages.po under source into messages.mo (in place, or under target); return the files."""
    written = []
    for po_path in sorted(source.glob("*/LC_MESSAGES/messages.po")):
        locale = po_path.parent.parent.name
        mo_path = (target / locale / "LC_MESSAGES" / "messages.mo") if target else po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with mo_path.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        written.append(mo_path)
    return written


def ensure_catalogues(app: Flask) -> None:
    """Compile missing or stale .mo files (they are not committed); fall back to a temp dir if read-only."""
    try:
        compile_catalogues()
    except OSError:
        fallback = Path(tempfile.gettempdir()) / "huanjie-translations"
        compile_catalogues(TRANSLATIONS, fallback)
        babel_conf = app.extensions.get("babel")
        if babel_conf is not None and str(fallback) not in babel_conf.translation_directories:
            babel_conf.translation_directories.insert(0, str(fallback))


def _as_date(value: Any) -> Optional[dt.date]:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(SHANGHAI).date() if value.tzinfo else value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def format_day(value: Any) -> str:
    """Format a date: 2015年1月20日 in Chinese, January 20, 2015 in English."""
    day = _as_date(value)
    if day is None:
        return "" if value in (None, "") else str(value)
    return babel_format_date(day, "long", locale="en" if lang() == "en" else "zh")


def format_moment(value: Any) -> str:
    """Format a timestamp in Asia/Shanghai: 2014年12月10日 12:00."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, dt.datetime):
        return "" if value is None else str(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    local = value.astimezone(SHANGHAI)
    pattern = "MMM d, y HH:mm" if lang() == "en" else "y年M月d日 HH:mm"
    return babel_format_datetime(local, pattern, locale="en" if lang() == "en" else "zh")


def colon() -> str:
    """A colon in the current language: '：' or ': '."""
    return ": " if lang() == "en" else "："


def comma() -> str:
    """A list separator in the current language: '、' or ', '."""
    return ", " if lang() == "en" else "、"


def paren(text: Any) -> str:
    """Text in brackets in the current language: （…） or (…)."""
    return f" ({text})" if lang() == "en" else f"（{text}）"


def label_of(kind: str, key: Any) -> str:
    """Return the label of a state, trigger, body, role, mode, post, level, category or outcome."""
    table = {"state": L.STATES, "trigger": L.TRIGGERS, "body": L.BODIES, "role": L.ROLES, "mode": L.MODES,
             "post": L.POSTS, "level": L.REGION_LEVELS, "category": L.COMPLAINT_CATEGORIES,
             "outcome": L.OUTCOMES, "escalation": L.LEVELS, "review": L.REVIEW_STATUSES}[kind]
    return L.label(table, key, lang())


def _nav() -> list[dict[str, Any]]:
    """The navigation links the current user may follow."""
    from flask_babel import gettext as _

    from .blueprint import NAV_EXTRA
    if not current_user.is_authenticated:
        return []
    role = current_user.role
    items = [("ui.worklist", _("Worklist"), None),
             ("ui.supervise", _("Supervision"), None),
             ("ui.admin_home", _("Administration"), ("supervisor", "admin"))]
    items += [(e, str(lbl), roles) for e, lbl, roles in NAV_EXTRA]
    out = []
    for endpoint, text, roles in items:
        if roles is not None and role not in roles:
            continue
        if endpoint not in current_app.view_functions:
            continue
        prefix = current_app.url_map._rules_by_endpoint[endpoint][0].rule.split("<")[0].rstrip("/")
        active = request.endpoint == endpoint or (bool(prefix) and request.path.startswith(prefix + "/")) \
            or (bool(prefix) and request.path == prefix)
        out.append({"endpoint": endpoint, "url": url_for(endpoint), "label": text, "active": active,
                    "prefix": len(prefix) if active else -1})
    # one link is current: the exact endpoint, else the longest matching prefix (/notices vs /notices/escalations)
    best = next((o for o in out if o["endpoint"] == request.endpoint), None) or \
        max((o for o in out if o["active"]), key=lambda o: o["prefix"], default=None)
    for o in out:
        o["active"] = o is best
    return out


def cite_html(source: Any) -> Markup:
    """A source code as Chinese (or English) legal citations, each with the document's full title on hover and
    a link to the legend of sources."""
    from workflow.citations import cite
    lg = lang()
    parts = []
    for c in cite(source if isinstance(source, str) else None):
        if c.document is None:
            parts.append(Markup('<span class="source">{}</span>').format(c.code))
        else:
            href = url_for("ui.sources", _anchor=f"doc-{c.document.key}")
            parts.append(Markup('<a class="source" href="{}" title="{}" data-source="{}">{}</a>').format(
                href, c.full(lg), c.code, c.short(lg)))
    return Markup("; " if lg == "en" else "；").join(parts)


def guard_condition(code: str) -> str:
    """The condition text of a guard in the current language (the code itself for an unknown one)."""
    from workflow.guards import GUARDS
    g = GUARDS.get(code)
    return g.condition(lang()) if g else code


def init_jinja(app: Flask) -> None:
    """Register filters and globals the templates use."""
    app.jinja_env.filters["cite"] = cite_html
    app.jinja_env.globals["guard_condition"] = guard_condition
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["moment"] = format_moment
    app.jinja_env.globals["label_of"] = label_of
    app.jinja_env.globals["ui_lang"] = lang
    app.jinja_env.globals.update(colon=colon, comma=comma, paren=paren)

    @app.context_processor
    def _ui_context() -> dict[str, Any]:
        if request.path.startswith("/api/"):
            return {}
        return {"nav_items": _nav(), "flashes": get_flashed_messages(with_categories=True)}
