"""Extensions created at module level and bound in the factory."""
from __future__ import annotations

from flask import g, request
from flask_babel import Babel
from flask_login import LoginManager, current_user
from flask_wtf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.session_protection = "strong"
login_manager.login_view = "ui.login"

SUPPORTED = ("zh", "en")


def select_locale() -> str:
    """Pick the language: an API caller's Accept-Language, else the user's choice, else Chinese."""
    chosen = getattr(g, "huanjie_lang", None)
    if chosen:
        return str(chosen)
    lang = "zh"
    if request.path.startswith("/api/"):
        lang = "en" if (request.accept_languages.best_match(["zh-CN", "zh", "en"]) or "zh").startswith("en") else "zh"
    else:
        user_lang = getattr(current_user, "language", None) if current_user else None
        lang = request.cookies.get("lang") or user_lang or "zh"
        if lang not in SUPPORTED:
            lang = "zh"
    g.huanjie_lang = lang
    return lang
