"""The JSON API of api.md under /api/v1: bearer tokens, contract errors, an OpenAPI document from the schemas.

An area is one module declaring routes on :data:`core.bp`; add it to the import in :func:`init_app`. Helpers for
areas live in :mod:`web.api.core` (``actor()``, ``uow()``, ``load()``, ``load_query()``, ``body()``,
``query()``, ``op()``, ``page_of()``, ``ID``, ``public``), :mod:`web.api.schemas` (strict input fields,
output bases, ``page_schema``) and :mod:`web.api.errors` (``STATUS`` for new error codes, ``json_error``).
"""
from __future__ import annotations

import json
import re
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
    # the page belongs with the document (APIFlask's "openapi" endpoints), not among the API's operations
    app.add_url_rule("/api/v1/docs", "openapi.docs", api_docs)


def api_docs() -> str:
    """The browsable API documentation: Swagger UI from web/static/vendor, no CDN, within the CSP."""
    from flask import render_template
    return render_template("api_docs.html")


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
    app.spec_processor(lambda spec: add_links(document_input_rules(merge_duplicate_schemas(spec))))


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


def document_input_rules(spec: dict[str, Any]) -> dict[str, Any]:
    """State in the document what core.json_body() enforces on every input string: the text rule.

    Field types of web.api.schemas carry their own (stricter) pattern; this covers a string field declared
    without one, so that the document alone tells a client what is valid.
    """
    from workflow.text import PATTERN_MULTI_LINE
    schemas = spec.get("components", {}).get("schemas", {})
    seen: set[int] = set()

    def visit(schema: Any) -> None:
        if not isinstance(schema, dict) or id(schema) in seen:
            return
        seen.add(id(schema))
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            visit(schemas.get(ref.rsplit("/", 1)[1]))
            return
        kinds = schema.get("type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if "string" in kinds and not {"enum", "pattern", "format"} & set(schema):
            schema["pattern"] = PATTERN_MULTI_LINE
        for key in ("items", "additionalProperties"):
            visit(schema.get(key))
        for sub in (schema.get("properties") or {}).values():
            visit(sub)
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in schema.get(key) or []:
                visit(sub)

    for item in spec.get("paths", {}).values():
        for op in item.values():
            if not isinstance(op, dict):
                continue
            responses = op.setdefault("responses", {})
            if not any(str(code).startswith("2") for code in responses):
                # an operation declared without an output schema still answers 200 with JSON on success
                responses["200"] = {"description": "OK", "content": {"application/json": {"schema": {}}}}
            request_body = op.get("requestBody") or {}
            for media in request_body.get("content", {}).values():
                visit(media.get("schema"))
                if _resolve(schemas, media.get("schema")).get("required"):
                    request_body["required"] = True  # a body with required fields cannot be left out
            for param in op.get("parameters") or []:
                if param.get("in") == "query":
                    visit(param.get("schema"))
    return spec


def _resolve(schemas: dict[str, Any], schema: Any) -> dict[str, Any]:
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        schema = schemas.get(schema["$ref"].rsplit("/", 1)[1], {})
    return schema if isinstance(schema, dict) else {}


def add_links(spec: dict[str, Any]) -> dict[str, Any]:
    """Link every answer that carries an object's `id` to the operations addressing that object by id.

    `DossierOut.id` feeds `{dossier_id}`, `CandidateOut.id` `{candidate_id}`, ...: named by the schema, so that
    an area's new objects are linked as soon as their schema and paths follow that naming (OpenAPI links let
    clients and Schemathesis' stateful phase chain the calls).
    """
    schemas = spec.get("components", {}).get("schemas", {})
    targets: dict[str, list[tuple[str, str]]] = {}
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            if isinstance(op, dict):
                for name in re.findall(r"{(\w+)_id}", path):
                    targets.setdefault(name, []).append((path, method))
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            if not isinstance(op, dict):
                continue
            for code, response in (op.get("responses") or {}).items():
                if not str(code).startswith("2"):
                    continue
                schema = (response.get("content") or {}).get("application/json", {}).get("schema") or {}
                ref = schema.get("$ref", "") if isinstance(schema, dict) else ""
                base = ref.rsplit("/", 1)[-1]
                if not base.endswith("Out") or "id" not in _resolve(schemas, schema).get("properties", {}):
                    continue
                name = re.sub(r"(?<!^)(?=[A-Z])", "_", base[:-3]).lower()
                links = {}
                for target_path, target_method in targets.get(name, []):
                    if (target_path, target_method) == (path, method):
                        continue
                    pointer = target_path.replace("~", "~0").replace("/", "~1")
                    links[f"{target_method}{target_path}".replace("/", "_").replace("{", "").replace("}", "")] = {
                        "operationRef": f"#/paths/{pointer}/{target_method}",
                        "parameters": {f"{name}_id": "$response.body#/id"}}
                if links:
                    response["links"] = links
    return spec
