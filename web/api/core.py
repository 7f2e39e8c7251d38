"""What every API area shares: the blueprint, the caller, units of work, JSON bodies, errors and pages.

An area module does ``from .core import bp, ...``, declares its routes on ``bp`` and is added to the API by
one import line in ``web/api/__init__.py``. The pattern of a write endpoint (api.md check order)::

    @bp.post(f"/elections/<{ID}:election_id>/things")
    @bp.output(ThingOut, status_code=201)
    @body(ThingIn)
    @op("Elections", 400, 403, 404, 409)
    def add_thing(election_id: int) -> dict:
        with uow() as w:
            # 400 unless the election is missing or hidden (then 404 first)
            data = load(ThingIn, exists=lambda: get_election(w.session, actor(), election_id))
            # the service loads the election first (404), then 403 and the 409s
            return thing_dict(add(w, actor(), election_id, data))
"""
from __future__ import annotations

import dataclasses
import json
from typing import Any, Callable, Optional, TypeVar

from apiflask import APIBlueprint
from flask import g, request
from apiflask import Schema
from marshmallow import EXCLUDE, ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from workflow.auth import Actor
from workflow.db import UnitOfWork
from workflow.errors import InvalidRequest, NotFound
from workflow.services.tokens import Unauthenticated, actor_for_token
from workflow.text import text_problem

from .messages import flatten

F = TypeVar("F", bound=Callable[..., Any])

bp = APIBlueprint("api", __name__, url_prefix="/api/v1")

#: path converter for numeric ids (numbers beyond the id range are not found, see _authenticate)
ID = "int"
MAX_ID = 2**31 - 1
#: a JSON request body (imports send files, not JSON, and have their own limits)
MAX_JSON_BYTES = 1 << 20
MAX_FILE_BODY_BYTES = 64 << 20
#: endpoints whose JSON body carries a file (see file_body)
FILE_BODIES: set[str] = set()
#: endpoints that need no bearer token
PUBLIC: set[str] = set()
SECURITY = "BearerAuth"

ERROR_TEXT = {400: "Invalid request (invalid_request, with `fields`)",
              401: "Missing or invalid token (unauthenticated)",
              403: "The role may not do this (forbidden)",
              404: "Not found, or outside the caller's region scope (not_found)",
              409: "Conflict: invalid_trigger, version_conflict, guard_failed (with `unmet`), invalid_state "
                   "or duplicate",
              503: "The database is unavailable"}


def lang() -> str:
    """Return the language of the current request's messages: 'zh' (default) or 'en'."""
    from web.context import lang as web_lang
    return web_lang()


def actor() -> Actor:
    """Return the caller (from the bearer token), speaking the request's language."""
    found: Optional[Actor] = getattr(g, "huanjie_actor", None)
    if found is None:
        raise Unauthenticated()
    return found


def uow(write: bool = True) -> UnitOfWork:
    """Open a unit of work on the app's database (use as a context manager)."""
    from web.context import db
    return db().uow(write=write)


def bearer_token() -> Optional[str]:
    """Return the token of an ``Authorization: Bearer`` header, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def public(f: F) -> F:
    """Mark a view as reachable without a token (put it directly under the route decorator)."""
    PUBLIC.add(f"{bp.name}.{f.__name__}")
    return f


@bp.before_request
def _authenticate() -> None:
    """Resolve the caller before anything else (401 comes first); impossible path values are not found."""
    g.huanjie_actor = None
    if request.endpoint in PUBLIC:
        return
    token = bearer_token()
    if token is None:
        raise Unauthenticated()
    from web.context import db
    # one SELECT on a bare autocommit connection: no session, no BEGIN/ROLLBACK round trips
    with db().engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        found = actor_for_token(conn, token)
    if found is None:
        raise Unauthenticated()
    g.huanjie_actor = dataclasses.replace(found, language=lang())
    for value in (request.view_args or {}).values():
        if isinstance(value, str) and not storable(value) or isinstance(value, int) and value > MAX_ID:
            raise NotFound()


def storable(text: str) -> bool:
    """Return whether a string can reach the database: the text rule (no control characters, valid UTF-8)."""
    return text_problem(text, multiline=True) is None


def _unstorable(value: Any, path: str, out: dict[str, tuple[str, str]]) -> None:
    """Apply the text rule to every string of a body, whatever its schema says (one-line fields say more)."""
    if isinstance(value, str):
        problem = text_problem(value, multiline=True)
        if problem is not None:
            out.setdefault(path or "body", problem)
    elif isinstance(value, dict):
        for k, v in value.items():
            _unstorable(k, f"{path}.{k}" if path else str(k), out)
            _unstorable(v, f"{path}.{k}" if path else str(k), out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _unstorable(v, f"{path}.{i}" if path else str(i), out)


def file_body(f: F) -> F:
    """Mark a view whose JSON body carries a file's text in `content` (checked cell by cell by the importer)."""
    FILE_BODIES.add(f"{bp.name}.{f.__name__}")
    return f


def json_body() -> Any:
    """Return the decoded JSON body ({} when empty); malformed JSON is a 400 invalid_request, too large a 413."""
    file_like = request.endpoint in FILE_BODIES
    limit = MAX_FILE_BODY_BYTES if file_like else MAX_JSON_BYTES
    if (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise RequestEntityTooLarge()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise InvalidRequest.one("body", "is not valid JSON", "不是有效的 JSON") from None
    problems: dict[str, tuple[str, str]] = {}
    if file_like and isinstance(data, dict):
        _unstorable({k: v for k, v in data.items() if k != "content"}, "", problems)
    else:
        _unstorable(data, "", problems)
    if problems:
        raise InvalidRequest(problems)
    return data


def load(schema: type[Schema], data: Any = None, partial: bool = False,
         exists: Optional[Callable[[], Any]] = None) -> dict[str, Any]:
    """Validate the JSON body (or data) with a schema; wrong types, unknown or missing fields → 400.

    ``exists`` loads the object of the path: it runs before a 400 is raised, so that a missing or hidden
    object is a 404 first (api.md check order) without an extra query on the happy path, where the
    service itself loads the object before anything else.
    """
    try:
        if data is None:
            data = json_body()
        try:
            return dict(schema().load(data, partial=partial))
        except ValidationError as exc:
            raise InvalidRequest(flatten(exc.messages)) from None
    except InvalidRequest:
        if exists is not None:
            exists()
        raise


def load_query(schema: type[Schema], exists: Optional[Callable[[], Any]] = None) -> dict[str, Any]:
    """Validate the query string with a schema (an unknown parameter is a 400, like an unknown field); ``exists`` as in load()."""
    args = request.args.to_dict(flat=True)
    problems: dict[str, tuple[str, str]] = {}
    _unstorable(args, "", problems)
    known = {f.data_key or name for name, f in schema().fields.items()}
    for name in args:
        if name not in known:
            problems.setdefault(name or "query", ("unknown query parameter", "未知的查询参数"))
    try:
        if problems:
            raise InvalidRequest(problems)
        try:
            return dict(schema().load(args, unknown=EXCLUDE))
        except ValidationError as exc:
            raise InvalidRequest(flatten(exc.messages)) from None
    except InvalidRequest:
        if exists is not None:
            exists()
        raise


def body(schema: type[Schema]) -> Callable[[F], F]:
    """Document a JSON request body without validating it yet: views load() it after the 404 checks."""
    def decorator(f: F) -> F:
        annotated = bp.input(schema, location="json", validation=False)(f)
        f._spec = annotated._spec  # type: ignore[attr-defined]  # keep the OpenAPI annotation, not the eager loader
        return f
    return decorator


def query(schema: type[Schema]) -> Callable[[F], F]:
    """Document query parameters; views load_query() them after the 404 checks."""
    def decorator(f: F) -> F:
        annotated = bp.input(schema, location="query", validation=False)(f)
        f._spec = annotated._spec  # type: ignore[attr-defined]
        return f
    return decorator


def op(tag: str, *errors: int, public_: bool = False, summary: Optional[str] = None,
       ok: Optional[dict[str, Any]] = None) -> Callable[[F], F]:
    """Document an operation: its tag, the error responses it may give (401 added unless public) and security.

    `ok` documents a 200 response by hand, for a download that may come in several media types.
    """
    from .schemas import ErrorOut
    codes = sorted(set(errors) | (set() if public_ else {401}))
    responses: dict[int, Any] = {code: {"description": ERROR_TEXT.get(code, "Error"),
                                        "content": {"application/json": {"schema": ErrorOut}}} for code in codes}
    if ok is not None:
        responses[200] = ok
    kwargs: dict[str, Any] = {"tags": [tag], "responses": responses}
    if summary:
        kwargs["summary"] = summary
    if not public_:
        kwargs["security"] = SECURITY
    return bp.doc(**kwargs)


def page_of(items: list[Any], page: int, per_page: int, total: Optional[int] = None) -> dict[str, Any]:
    """Return the list envelope of api.md; items is the whole list when total is None (sliced here)."""
    if total is None:
        total = len(items)
        items = items[(page - 1) * per_page: page * per_page]
    return {"items": items, "total": total, "page": page, "per_page": per_page}
