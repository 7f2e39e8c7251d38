"""Rendering announcements (公告, domain.md §11): the rule set's Jinja templates to HTML, and HTML to PDF.

The PDF is made by WeasyPrint, which embeds (subsets of) the fonts it lays out with: Debian's Noto CJK fonts
(`fonts-noto-cjk`, found through fontconfig) are CFF-flavoured OpenType, which WeasyPrint embeds as they are and
ReportLab cannot; the text stays extractable (pdftotext). Rendering happens once, at publication: the stored
HTML and PDF are what was posted, never re-rendered.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

_DIGITS = "〇一二三四五六七八九"


def chinese_date(day: dt.date) -> str:
    """Return a date as notice boards print it: 2026年12月4日 (one style, Arabic numerals)."""
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_date_upper(day: dt.date) -> str:
    """Return a date in Chinese numerals: 二〇二六年十二月四日 (for the signature block of formal notices)."""
    def small(n: int) -> str:
        if n < 10:
            return _DIGITS[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")
    return "".join(_DIGITS[int(c)] for c in str(day.year)) + f"年{small(day.month)}月{small(day.day)}日"


@lru_cache(maxsize=16)
def _environment(folder: str) -> Environment:
    # autoescape: names come from the roll and the candidates, never trusted as markup
    return Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(["html"]),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_html(folder: Path, template: str, context: dict[str, Any]) -> str:
    """Render one announcement template of a rule set's folder."""
    return _environment(str(folder)).get_template(template).render(**context)


def render_pdf(html: str) -> bytes:
    """Lay out the HTML on A4 and return the PDF with its CJK font embedded."""
    from weasyprint import HTML  # imported here: it loads pango, which nothing else needs
    return HTML(string=html).write_pdf()


def sha256(data: bytes | str) -> str:
    """Return the hex SHA-256 of a document (HTML as UTF-8)."""
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()
