"""The JSON API of api.md under /api/v1: bearer tokens, contract errors, an OpenAPI document from the schemas.

An area is one module declaring routes on :data:`core.bp`; add it to the import in :func:`init_app`. Helpers for
areas live in :mod:`web.api.core` (``actor()``, ``uow()``, ``load()``, ``load_query()``, ``body()``,
``query()``, ``op()``, ``page_of()``, ``ID``, ``public``), :mod:`web.api.schemas` (strict input fields,
output bases, ``page_schema``) and :mod:`web.api.errors` (``STATUS`` for new error codes, ``json_error``).
"""
from __future__ import annotations

import json
import warnings
from typing import Any

from flask import Flask

from . import errors
from .core import SECURITY, bp


def init_app(app: Flask) -> None:
    """Register the API blueprint (exempt from CSRF: bearer tokens), its OpenAPI settings and JSON errors."""
    from web.extensions import csrf

    # the areas declare their routes on core.bp: importing them here is the one place the API's routes are added
    from . import (auth, campaigns, candidates, complaints, elections, escalations, evidence, inbox,  # noqa: F401
                   people, reports, roll, structure)
    app.config["SECURITY_SCHEMES"] = {SECURITY: {"type": "http", "scheme": "bearer",
                                                 "description": "POST /api/v1/auth/token"}}
    app.config["AUTO_VALIDATION_ERROR_RESPONSE"] = False  # 400s are documented per operation
    app.config["AUTO_AUTH_ERROR_RESPONSE"] = False
    app.config.setdefault("TOKEN_HOURS", 12)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Chinese as UTF-8, not \u escapes
    app.register_blueprint(bp)
    csrf.exempt(bp)
    errors.install(app)
    _skip_plain_blueprints(app)


def _skip_plain_blueprints(app: Flask) -> None:
    """Keep plain Flask blueprints (the UI) out of the OpenAPI document.

    APIFlask 3.1 reads ``enable_openapi`` on every blueprint that has a before_request function and fails on
    plain ``flask.Blueprint`` objects, so they are marked before each generation of the document.
    """
    generate = app._generate_spec  # type: ignore[attr-defined]

    def generate_spec() -> object:
        for blueprint in app.blueprints.values():
            if not hasattr(blueprint, "enable_openapi"):
                blueprint.enable_openapi = False  # type: ignore[attr-defined]
        with warnings.catch_warnings():  # a schema both nested and used as output is met twice: merged below
            warnings.filterwarnings("ignore", message=".*has already been added to the spec")
            return generate()

    app._generate_spec = generate_spec  # type: ignore[attr-defined]
    app.spec_processor(merge_duplicate_schemas)


def merge_duplicate_schemas(spec: dict[str, Any]) -> dict[str, Any]:
    """Fold "CandidateOut1" into an identical "CandidateOut" (APIFlask numbers a schema met twice)."""
    schemas = spec.get("components", {}).get("schemas", {})
    renames = {}
    for name in list(schemas):
        base = name.rstrip("0123456789")
        if base != name and base in schemas and schemas[base] == schemas[name]:
            renames[f"#/components/schemas/{name}"] = f"#/components/schemas/{base}"
            del schemas[name]
    if not renames:
        return spec
    text = json.dumps(spec)
    for old, new in renames.items():
        text = text.replace(f'"{old}"', f'"{new}"')
    return dict(json.loads(text))
