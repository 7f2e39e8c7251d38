"""What a request's code needs from the app: its database and the request's language (a leaf: imports no page)."""
from __future__ import annotations

from flask import g, request

from workflow.db import Database

from .extensions import select_locale


def db() -> Database:
    """Return the database of the current app."""
    from flask import current_app
    return current_app.extensions["huanjie_db"]


def lang() -> str:
    """Return the language of the current request: 'en' or 'zh'."""
    cached = getattr(g, "huanjie_lang", None)
    if cached:
        return str(cached)
    return str(select_locale()).split("_")[0] if request else "zh"
