"""Schema building blocks: strict input fields (JSON types as written), open output schemas, errors, pages."""
from __future__ import annotations

import datetime as dt
import numbers
from typing import Any

from apiflask import Schema  # marshmallow.Schema, typed as APIFlask expects it
from marshmallow import INCLUDE, RAISE, ValidationError, fields, validate

from workflow import text as text_rule

MAX_ID = 2**31 - 1  # PostgreSQL int4: every id and count column
MAX_COUNT = 10**9
MAX_LIST = 1000  # items in a list field of a request body


class In(Schema):
    """An input schema: unknown fields are refused (400 with `fields`)."""

    class Meta:
        unknown = RAISE


class Out(Schema):
    """An output schema: clients must accept fields added later (api.md: add fields freely)."""

    class Meta:
        unknown = INCLUDE
        ordered = True


class Int(fields.Integer):
    """A JSON integer: no strings, no floats, no booleans; within PostgreSQL's int4 unless a range says less."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        validators = kwargs.get("validate") or []
        validators = [validators] if callable(validators) else list(validators)
        if not any(isinstance(v, validate.Range) for v in validators):
            validators.append(validate.Range(-MAX_ID - 1, MAX_ID))
        kwargs["validate"] = validators
        super().__init__(*args, strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Number(fields.Float):
    """A JSON number (no strings, no booleans, no NaN)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Bool(fields.Boolean):
    """A JSON boolean: true or false only (not 1, not "yes")."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class QueryBool(fields.Boolean):
    """A query-string flag: true/false or 1/0."""

    truthy = {"true", "1"}
    falsy = {"false", "0"}


class Day(fields.Date):
    """A date written YYYY-MM-DD, between 1900 and 2999 (so that date arithmetic never overflows)."""

    FIRST, LAST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
    #: the range as the document states it (JSON Schema has no date bounds beside the format)
    PATTERN = "^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        metadata = dict(kwargs.pop("metadata", {}) or {})
        metadata.setdefault("pattern", self.PATTERN)
        metadata.setdefault("description", "a date from 1900-01-01 to 2999-12-31")
        super().__init__(*args, metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str) or len(value) != 10:
            raise self.make_error("invalid")
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise self.make_error("invalid") from None
        if not self.FIRST <= day <= self.LAST:
            raise ValidationError("Must be a date from 1900-01-01 to 2999-12-31.")
        return day


class SafeText(validate.Validator):
    """The text rule of workflow.text: no control characters but tab and newline (no newline in one line)."""

    def __init__(self, multiline: bool = False, filled: bool = True) -> None:
        self.multiline, self.filled = multiline, filled

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str):
            problem = text_rule.text_problem(value, self.multiline)
            if problem is not None:
                raise ValidationError(problem[0][0].upper() + problem[0][1:] + ".")
            if self.filled and not value.strip():
                raise ValidationError("Must not be blank.")
        return value

    def pattern(self) -> str:
        """Return the rule as a JSON Schema pattern."""
        if self.multiline:
            return text_rule.PATTERN_MULTI_LINE_FILLED if self.filled else text_rule.PATTERN_MULTI_LINE
        return text_rule.PATTERN_SINGLE_LINE_FILLED if self.filled else text_rule.PATTERN_SINGLE_LINE


def _text_field(max_len: int, min_len: int, required: bool, nullable: bool, multiline: bool, filled: bool,
                kw: dict[str, Any]) -> fields.String:
    rule = SafeText(multiline, filled)
    metadata = dict(kw.pop("metadata", {}))
    metadata.setdefault("pattern", rule.pattern())
    extra = kw.pop("validate", [])
    extra = [extra] if callable(extra) else list(extra)
    return fields.String(required=required, allow_none=nullable, metadata=metadata,
                         validate=[validate.Length(min_len, max_len), rule, *extra], **kw)


def text(max_len: int, required: bool = False, nullable: bool = False, multiline: bool = False,
         **kw: Any) -> fields.String:
    """A stored text of 1..max_len characters with something other than blanks (names, codes: one line)."""
    return _text_field(max_len, 1, required, nullable, multiline, True, kw)


def note(max_len: int, required: bool = False, nullable: bool = True, **kw: Any) -> fields.String:
    """A free text of up to max_len characters, lines allowed, blank allowed (notes)."""
    return _text_field(max_len, 0, required, nullable, True, False, kw)


def line(max_len: int, required: bool = False, nullable: bool = True, **kw: Any) -> fields.String:
    """A one-line text of up to max_len characters, blank allowed (optional names)."""
    return _text_field(max_len, 0, required, nullable, False, False, kw)


def id_list(max_items: int = MAX_LIST, **kw: Any) -> fields.List:
    """A list of database ids, at most max_items of them."""
    kw.setdefault("validate", validate.Length(max=max_items))
    return fields.List(ident(), **kw)


def choice(values: Any, required: bool = False, nullable: bool = False, **kw: Any) -> fields.String:
    """A string among fixed values."""
    return fields.String(required=required, allow_none=nullable, validate=validate.OneOf(list(values)), **kw)


def count(required: bool = True, maximum: int = MAX_COUNT, **kw: Any) -> Int:
    """A non-negative integer."""
    return Int(required=required, validate=validate.Range(0, maximum), **kw)


def ident(required: bool = True, nullable: bool = False, **kw: Any) -> Int:
    """A database id."""
    return Int(required=required, allow_none=nullable, validate=validate.Range(1, MAX_ID), **kw)


class Timestamp(fields.String):
    """An ISO 8601 timestamp with offset (naive values from SQLite are UTC)."""

    def __init__(self, **kw: Any) -> None:
        kw.setdefault("metadata", {})["format"] = "date-time"
        super().__init__(**kw)

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.isoformat()


class DayOut(fields.String):
    """A date written YYYY-MM-DD."""

    def __init__(self, **kw: Any) -> None:
        kw.setdefault("metadata", {})["format"] = "date"
        super().__init__(**kw)

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return value.isoformat() if isinstance(value, dt.date) else value


class UnmetOut(Out):
    code = fields.String(required=True)
    message = fields.String(required=True)
    source = fields.String()


class ErrorOut(Out):
    """Every failure: {"error": CODE, "message": ..., "fields"?: {name: problem}, "unmet"?: [...]}."""

    error = fields.String(required=True, metadata={"description": "stable error code"})
    message = fields.String(required=True)
    problems = fields.Dict(keys=fields.String(), values=fields.String(), data_key="fields")
    unmet = fields.List(fields.Nested(UnmetOut))


class QueryInt(fields.Integer):
    """An integer query parameter written in digits only (no "1.0", no "+1", no blanks)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, strict=False, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str) or not value.isascii() or not value.lstrip("-").isdigit() or len(value) > 12:
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class PageQuery(In):
    page = QueryInt(load_default=1, validate=validate.Range(1, 10**6))
    per_page = QueryInt(load_default=50, validate=validate.Range(1, 500))


class PageOut(Out):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """Return the list envelope {items, total, page, per_page} of an item schema."""
    return type(name, (PageOut,), {"items": fields.List(fields.Nested(item), required=True)})


class EmptyIn(In):
    """No fields."""
