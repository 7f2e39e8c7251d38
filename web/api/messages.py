"""Validation messages of marshmallow, flattened per field and given in Chinese as well as English."""
from __future__ import annotations

import re
from typing import Any

#: marshmallow's English messages (and our fields' own) → Chinese; {n} placeholders are kept
_EXACT = {
    "Unknown field.": "未知字段",
    "Missing data for required field.": "必填",
    "Field may not be null.": "不能为空（null）",
    "Invalid input type.": "必须是 JSON 对象",
    "Not a valid integer.": "必须是整数",
    "Not a valid string.": "必须是文本",
    "Not a valid boolean.": "必须为 true 或 false",
    "Not a valid date.": "必须是有效日期（YYYY-MM-DD）",
    "Not a valid number.": "必须是数字",
    "Not a valid mapping type.": "必须是对象",
    "Not a valid list.": "必须是列表",
    "Invalid value.": "取值无效",
    "Must not be blank.": "不能为空白",
    "String does not match expected pattern.": "格式不正确",
    "Special numeric values (nan or infinity) are not permitted.": "不能是 NaN 或无穷大",
    "Must be a date from 1900-01-01 to 2999-12-31.": "日期必须在1900-01-01到2999-12-31之间",
}
_PATTERNS = [
    (re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$"), "必须在{0}到{1}之间"),
    (re.compile(r"^Must be greater than or equal to (\S+)\.$"), "不能小于{0}"),
    (re.compile(r"^Must be less than or equal to (\S+)\.$"), "不能大于{0}"),
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"), "长度必须在{0}到{1}之间"),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"), "长度不能少于{0}"),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), "长度不能超过{0}"),
    (re.compile(r"^Must be one of: (.*)\.$"), "必须是以下之一：{0}"),
]


def to_zh(message: str) -> str:
    """Return the Chinese form of a validation message (the English one when unknown)."""
    if message in _EXACT:
        return _EXACT[message]
    for pattern, template in _PATTERNS:
        m = pattern.match(message)
        if m:
            return template.format(*m.groups())
    return message


def _first(messages: Any) -> str:
    if isinstance(messages, (list, tuple)) and messages:
        return str(messages[0])
    return str(messages)


def flatten(messages: Any, prefix: str = "") -> dict[str, tuple[str, str]]:
    """Turn marshmallow's nested messages into {"a.b": (en, zh)}; schema-level problems name the body."""
    out: dict[str, tuple[str, str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = str(key)
            if name == "_schema":
                name = ""
            elif name in ("key", "value") and prefix:
                name = ""  # a Dict field's key/value problem belongs to the entry itself
            path = ".".join(p for p in (prefix, name) if p)
            if isinstance(value, dict):
                out.update(flatten(value, path))
            else:
                text = _first(value)
                out.setdefault(path or "body", (text, to_zh(text)))
    else:
        text = _first(messages)
        out[prefix or "body"] = (text, to_zh(text))
    return out
