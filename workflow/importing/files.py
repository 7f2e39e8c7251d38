"""Writing tables as CSV (UTF-8 with BOM, so Excel shows Chinese) or XLSX (write-only, streamed)."""
from __future__ import annotations

import codecs
import csv
import io
from typing import IO, Any, Iterable, Optional

FORMATS = ("xlsx", "csv")
MEDIA_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "csv": "text/csv; charset=utf-8", "json": "application/json"}


def column_letter(index: int) -> str:
    """Return the spreadsheet letter of a 0-based column index."""
    from openpyxl.utils import get_column_letter
    return get_column_letter(index + 1)


def write_table(out: IO[bytes], fmt: str, header: list[str], rows: Iterable[list[Any]], *,
                sheet: str = "Sheet1", notes: Optional[list[list[Any]]] = None,
                notes_sheet: str = "说明", widths: Optional[list[int]] = None) -> int:
    """Write a header and rows to out; XLSX gets a bold, frozen header and an optional notes sheet."""
    if fmt == "csv":
        out.write(codecs.BOM_UTF8)
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        writer = csv.writer(text)
        writer.writerow(header)
        n = 0
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
            n += 1
        text.flush()
        text.detach()
        return n
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    ws.freeze_panes = "A2"
    for i, name in enumerate(header):
        width = widths[i] if widths and i < len(widths) else max(10, min(40, 2 * len(str(name)) + 4))
        ws.column_dimensions[column_letter(i)].width = width
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE6F0")
    cells = []
    for name in header:
        cell = WriteOnlyCell(ws, value=name)
        cell.font, cell.fill = bold, fill
        cells.append(cell)
    ws.append(cells)
    n = 0
    for row in rows:
        ws.append(row)
        n += 1
    if notes:
        ns = wb.create_sheet(notes_sheet[:31])
        for i, width in enumerate((24, 12, 60)):
            ns.column_dimensions[column_letter(i)].width = width
        for row in notes:
            ns.append(row)
    wb.save(out)
    return n
