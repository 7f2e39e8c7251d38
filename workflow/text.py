"""The one rule for stored text, and the one way text leaves the server in files.

Input (API schemas, UI forms, importers): control characters are refused except tab and newline, and newline
is refused too in single-line fields (names, codes). Output (XLSX, CSV, downloads): whatever is stored is
cleaned on the way out, formula-like cells are neutralized (OWASP CSV injection) and file names are encoded
per RFC 6266 / RFC 5987, so that rows stored before the rule cannot break or poison an export.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from typing import IO, Any, Iterable, Optional
from urllib.parse import quote

#: refused everywhere: C0 controls but tab and newline, DEL, C1 controls
_MULTI = "\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f"
#: refused in single-line fields: the same, and newline
_SINGLE = "\\x00-\\x08\\x0a-\\x1f\\x7f-\\x9f"
MULTI_LINE = re.compile(f"[{_MULTI}]")
SINGLE_LINE = re.compile(f"[{_SINGLE}]")
#: the rule as JSON Schema patterns (ECMA 262), for the OpenAPI document
PATTERN_MULTI_LINE = f"^[^{_MULTI}]*$"
PATTERN_SINGLE_LINE = f"^[^{_SINGLE}]*$"
#: the same, with something other than blanks
PATTERN_MULTI_LINE_FILLED = f"^[^{_MULTI}]*[^\\s{_MULTI}][^{_MULTI}]*$"
PATTERN_SINGLE_LINE_FILLED = f"^[^{_SINGLE}]*[^\\s{_SINGLE}][^{_SINGLE}]*$"
#: a cell starting with one of these is read as a formula by spreadsheet programs
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text_problem(value: str, multiline: bool = True) -> Optional[tuple[str, str]]:
    """Return (en, zh) when text breaks the rule, else None."""
    found = (MULTI_LINE if multiline else SINGLE_LINE).search(value)
    if found is None and not _has_surrogate(value):
        return None
    if found is not None and found.group() == "\n":
        return ("must be one line (no line breaks)", "只能是一行文字（不能换行）")
    return ("must not contain control characters (only tab and line breaks are allowed)",
            "不能包含控制字符（只允许制表符和换行）")


def _has_surrogate(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def normalize_newlines(value: str) -> str:
    """Turn CRLF and CR (what browsers and Windows send) into LF."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def clean(value: str, multiline: bool = True) -> str:
    """Drop what the rule refuses (for output: data stored before the rule)."""
    value = (MULTI_LINE if multiline else SINGLE_LINE).sub("", normalize_newlines(value))
    return value.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(value) else value


def export_cell(value: Any) -> Any:
    """Return a value fit for an XLSX or CSV cell: text cleaned and neutralized, other values as they are."""
    if not isinstance(value, str):
        return value
    value = clean(value)
    if value.startswith(FORMULA_START):
        return "'" + value
    return value


def export_row(values: Iterable[Any]) -> list[Any]:
    """Return export_cell of every value (None as an empty cell)."""
    return [None if v is None else export_cell(v) for v in values]


def ascii_fallback(name: str) -> str:
    """Return a plain ASCII file name for old clients (accents dropped, other characters as '_')."""
    decomposed = unicodedata.normalize("NFKD", name)
    out = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\/;' else ("" if unicodedata.combining(ch) else "_")
                  for ch in decomposed)
    out = re.sub(r"_+", "_", out).strip(" ._") or "download"
    return out


def safe_filename(name: str) -> str:
    """Return a file name without control characters, path separators or quotes."""
    name = SINGLE_LINE.sub("", clean(name, multiline=False))
    name = re.sub(r'[\\/"]', "_", name).strip().lstrip(".")
    return name or "download"


def content_disposition(name: str, disposition: str = "attachment") -> str:
    """Return a Content-Disposition value: an ASCII filename and the UTF-8 filename* (RFC 6266, RFC 5987)."""
    name = safe_filename(name)
    fallback = ascii_fallback(name)
    value = f'{disposition}; filename="{fallback}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value


class SafeCsv:
    """A csv writer whose cells go through export_cell (None as an empty cell)."""

    def __init__(self, out: IO[str]) -> None:
        self.writer = csv.writer(out)

    def writerow(self, values: Iterable[Any]) -> None:
        """Write one row, cleaned and neutralized."""
        self.writer.writerow(["" if v is None else v for v in export_row(values)])
