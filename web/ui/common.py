"""Helpers every UI view shares: the acting user, units of work, error mapping, pagination, safe redirects."""
from __future__ import annotations

import math
from typing import Any, Callable, Optional, TypeVar
from urllib.parse import urlsplit

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from workflow.auth import Actor
from workflow.db import UnitOfWork
from workflow.errors import DomainError, GuardsFailed, InvalidRequest, VersionConflict
from workflow.guards import GUARDS

T = TypeVar("T")


def actor() -> Actor:
    """Return the actor of the signed-in user."""
    return current_user.actor


def lang() -> str:
    """Return 'zh' or 'en' for the current request."""
    from web.context import lang as web_lang
    return web_lang()


def read(fn: Callable[..., T], *args: Any, **kw: Any) -> T:
    """Run a read-only service function for the current user."""
    from web.context import db
    with db().uow(write=False) as uow:
        return fn(uow, actor(), *args, **kw)


def write(fn: Callable[..., T], *args: Any, **kw: Any) -> T:
    """Run a service function for the current user in one transaction."""
    from web.context import db
    with db().uow() as uow:
        return fn(uow, actor(), *args, **kw)


def uow(write_: bool = False) -> UnitOfWork:
    """Open a unit of work on the app's database."""
    from web.context import db
    return db().uow(write=write_)


class Problem:
    """A domain error turned into what a page shows: a message, field errors, unmet guards."""

    def __init__(self, exc: DomainError) -> None:
        self.exc = exc
        self.code = exc.code
        lg = lang()
        self.fields: dict[str, str] = exc.fields(lg) if isinstance(exc, InvalidRequest) else {}
        # listed under "still missing:": the condition each unmet guard needs (its registry text)
        self.unmet: list[str] = [GUARDS[u.code].condition(lg) if u.code in GUARDS else u.message(lg)
                                 for u in exc.unmet] if isinstance(exc, GuardsFailed) else []
        self.details: list[str] = []  # field problems that no form field on the page can show
        if isinstance(exc, VersionConflict):
            self.message = _("Someone else changed this election while you were working. "
                             "Reload the page to see the latest state, then try again.")
        elif isinstance(exc, GuardsFailed):
            self.message = _("This step is not possible yet. Still missing:")
        elif isinstance(exc, InvalidRequest) and self.fields:
            self.message = _("Please correct the marked fields.")
        else:
            self.message = exc.message(lg)

    @property
    def status(self) -> int:
        """HTTP status of the page that shows this problem."""
        return {"invalid_request": 400, "forbidden": 403, "not_found": 404}.get(self.code, 409)

    def attach(self, form: Optional[FlaskForm], aliases: Optional[dict[str, str]] = None) -> list[str]:
        """Put field errors on the form's fields; return the messages that fit no field."""
        loose: list[str] = []
        for name, text in self.fields.items():
            target = (aliases or {}).get(name, name)
            field = getattr(form, target, None) if form is not None else None
            if field is not None and hasattr(field, "errors"):
                errors = list(field.errors) if not isinstance(field.errors, list) else field.errors
                errors.append(text)
                field.errors = errors
            else:
                loose.append(text)
        self.details.extend(loose)
        return loose


def is_safe_next(target: Optional[str]) -> bool:
    """Allow only same-host relative paths (no scheme, no host, no '//' or backslash tricks)."""
    if not target or not isinstance(target, str) or len(target) > 2000:
        return False
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def page_number() -> int:
    """Return ?page as a positive integer (bad input means page 1)."""
    try:
        return max(1, min(int(request.args.get("page", "1")), 10**6))
    except ValueError:
        return 1


class Pager:
    """Pagination numbers and links for a list page."""

    def __init__(self, total: int, page: int, per_page: int, endpoint: str, param: str = "page",
                 **args: Any) -> None:
        self.total, self.per_page, self.param = total, per_page, param
        self.pages = max(1, math.ceil(total / per_page)) if per_page else 1
        self.page = min(page, self.pages)
        self.endpoint, self.args = endpoint, {k: v for k, v in args.items() if v not in (None, "", False)}

    def url(self, page: int) -> str:
        """Return the link to another page with the same filters."""
        return url_for(self.endpoint, **{self.param: page}, **self.args)

    @property
    def has_prev(self) -> bool:
        """Whether there is a previous page."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether there is a next page."""
        return self.page < self.pages

    @property
    def first_item(self) -> int:
        """Number of the first item shown (1-based)."""
        return 0 if self.total == 0 else (self.page - 1) * self.per_page + 1

    @property
    def last_item(self) -> int:
        """Number of the last item shown."""
        return min(self.total, self.page * self.per_page)
