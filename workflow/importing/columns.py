"""Columns of an import file: headers in Chinese or English, cell parsers with bilingual problems."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from ..text import normalize_newlines, text_problem

MISSING = object()  # the column is not in the file: leave the stored value alone


class CellProblem(Exception):
    """A cell that cannot be accepted; carries the problem in English and Chinese."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh


@dataclass(frozen=True)
class RowProblem:
    """One problem of an import: row (1 = header), column as the file names it (or None), text in zh and en."""

    row: int
    column: Optional[str]
    en: str
    zh: str

    def as_dict(self, lang: str = "zh") -> dict[str, Any]:
        """Return {row, column, problem} in the given language."""
        return {"row": self.row, "column": self.column, "problem": self.en if lang.startswith("en") else self.zh}


@dataclass(frozen=True)
class Column:
    """A column: field key, Chinese header, English header, whether required, and its cell parser."""

    key: str
    zh: str
    en: str
    parse: Callable[[Any], Any]
    required: bool = False
    aliases: tuple[str, ...] = ()
    hint_zh: str = ""
    hint_en: str = ""
    fmt: Callable[[Any], Any] = field(default=lambda v: "" if v is None else v)

    def names(self) -> set[str]:
        """Return every header this column answers to, normalized."""
        return {normalize_header(n) for n in (self.key, self.zh, self.en, *self.aliases)}

    def header(self, lang: str = "zh") -> str:
        """Return the header a template or an export writes."""
        return self.en if lang.startswith("en") else self.zh


def normalize_header(text: Any) -> str:
    """Lower-case, drop spaces, BOM, required marks ('*', '（必填）') and a trailing note in brackets."""
    s = str(text or "").replace("\ufeff", "").strip().lower()
    s = re.sub(r"[\s_]+", "", s)
    s = s.rstrip("*＊")
    s = re.sub(r"[（(][^（()）]*[)）]$", "", s)
    return s.rstrip("*＊")


def blank(value: Any) -> bool:
    """Return whether a cell is empty."""
    return value is None or (isinstance(value, str) and not value.strip())


# ---------------------------------------------------------------- parsers
def text(max_len: int, required: bool = False, multiline: bool = False) -> Callable[[Any], Optional[str]]:
    """Text up to max_len characters under the text rule (workflow.text); numbers are read as their digits."""
    def parse(value: Any) -> Optional[str]:
        if blank(value):
            if required:
                raise CellProblem("is required", "必填")
            return None
        if isinstance(value, bool):
            raise CellProblem("must be text", "必须是文本")
        s = str(value).strip()
        if multiline:
            s = normalize_newlines(s)
        problem = text_problem(s, multiline)
        if problem is not None:
            raise CellProblem(*problem)
        if len(s) > max_len:
            raise CellProblem(f"must be at most {max_len} characters", f"不能超过{max_len}个字符")
        return s
    return parse


def code(required: bool = True) -> Callable[[Any], Optional[str]]:
    """A code of letters and digits (at most 24)."""
    inner = text(24, required)

    def parse(value: Any) -> Optional[str]:
        s = inner(value)
        if s is not None and not s.isalnum():
            raise CellProblem("may hold only letters and digits", "只能包含字母和数字")
        return s
    return parse


def integer(minimum: int = 0, maximum: int = 10**7, default: Optional[int] = 0) -> Callable[[Any], Optional[int]]:
    """A whole number in range; a blank cell is the default."""
    def parse(value: Any) -> Optional[int]:
        if isinstance(value, str) and value.isdigit() and value.isascii():  # the common case, fast
            n = int(value)
            if minimum <= n <= maximum:
                return n
        if blank(value):
            return default
        if isinstance(value, bool):
            raise CellProblem("must be a whole number", "必须是整数")
        if isinstance(value, int):
            n = value
        elif isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip().replace(",", "")):
            n = int(value.strip().replace(",", ""))
        else:
            raise CellProblem(f"must be a whole number, not “{value}”", f"必须是整数，而不是“{value}”")
        if not minimum <= n <= maximum:
            raise CellProblem(f"must be from {minimum} to {maximum}", f"必须在{minimum}到{maximum}之间")
        return n
    return parse


def decimal(minimum: float, maximum: float) -> Callable[[Any], Optional[float]]:
    """A number in range (coordinates); blank is None."""
    def parse(value: Any) -> Optional[float]:
        if blank(value):
            return None
        try:
            n = float(value) if not isinstance(value, bool) else None
        except (TypeError, ValueError):
            n = None
        if n is None or n != n:
            raise CellProblem(f"must be a number, not “{value}”", f"必须是数字，而不是“{value}”")
        if not minimum <= n <= maximum:
            raise CellProblem(f"must be from {minimum} to {maximum}", f"必须在{minimum}到{maximum}之间")
        return n
    return parse


TRUE_WORDS = {"是", "1", "true", "yes", "y", "t", "√", "✓", "✔", "有", "对"}
FALSE_WORDS = {"否", "0", "false", "no", "n", "f", "×", "✗", "无", "不是", "-"}


def flag(value: Any) -> bool:
    """是/否, yes/no, true/false, 1/0; a blank cell is 否."""
    if value == "否" or value == "":
        return False
    if value == "是":
        return True
    if blank(value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    s = str(value).strip().lower()
    if s in TRUE_WORDS:
        return True
    if s in FALSE_WORDS:
        return False
    raise CellProblem(f"must be 是/否 (yes/no), not “{value}”", f"必须填“是”或“否”，而不是“{value}”")


def flag_out(value: Any) -> str:
    """Write a flag as 是/否."""
    return "是" if value else "否"


def choice(options: dict[str, tuple[str, ...]], default: Optional[str] = None,
           required: bool = False) -> Callable[[Any], Optional[str]]:
    """One of the option keys; each key also answers to its Chinese and English names."""
    lookup = {normalize_header(k): k for k in options}
    for k, names in options.items():
        lookup.update({normalize_header(n): k for n in names})
    listing_en = ", ".join(options)
    listing_zh = "、".join(names[0] if names else k for k, names in options.items())

    exact = {**{k: k for k in options}, **{n: k for k, names in options.items() for n in names}}

    def parse(value: Any) -> Optional[str]:
        if isinstance(value, str) and value in exact:  # the common case, fast
            return exact[value]
        if blank(value):
            if required:
                raise CellProblem("is required", "必填")
            return default
        key = lookup.get(normalize_header(value))
        if key is None:
            raise CellProblem(f"must be one of {listing_en}, not “{value}”",
                              f"必须是以下之一：{listing_zh}，而不是“{value}”")
        return key
    return parse


def email(value: Any) -> Optional[str]:
    """An e-mail address, or blank."""
    s = text(200)(value)
    if s is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", s):
        raise CellProblem("is not an e-mail address", "不是有效的电子邮箱地址")
    return s


def username(value: Any) -> Optional[str]:
    """A user name: letters, digits, . _ - (at most 64)."""
    s = text(64, required=True)(value)
    assert s is not None
    if not all(ch.isalnum() or ch in "._-" for ch in s):
        raise CellProblem("may hold letters, digits, . _ -", "只能包含字母、数字和 . _ -")
    return s


@dataclass
class HeaderMap:
    """Which file column holds which field, and the header text the file used."""

    index: dict[str, int]
    header_text: dict[str, str]
    problems: list[RowProblem]


def map_header(header: list[str], columns: list[Column]) -> HeaderMap:
    """Match header cells to columns (Chinese or English); report unknown, repeated and missing columns."""
    by_name: dict[str, Column] = {}
    for col in columns:
        for name in col.names():
            by_name.setdefault(name, col)
    index: dict[str, int] = {}
    header_text: dict[str, str] = {}
    problems: list[RowProblem] = []
    for i, cell in enumerate(header):
        if not str(cell).strip():
            continue
        col = by_name.get(normalize_header(cell))
        if col is None:
            problems.append(RowProblem(1, cell, "unknown column", "无法识别的列名"))
        elif col.key in index:
            problems.append(RowProblem(1, cell, "this column appears twice", "该列重复出现"))
        else:
            index[col.key] = i
            header_text[col.key] = cell
    for col in columns:
        if col.required and col.key not in index:
            problems.append(RowProblem(1, col.zh, f"the required column “{col.en}” is missing",
                                       f"缺少必填列“{col.zh}”"))
    return HeaderMap(index, header_text, problems)
