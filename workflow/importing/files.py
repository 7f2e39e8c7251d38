"""Writing tables as CSV (UTF-8 with BOM, so Excel shows Chinese) or XLSX (write-only, streamed).

Every cell goes through :func:`workflow.text.export_cell` (control characters dropped, formulas neutralized) and
text is always written as a string cell: the one way spreadsheets leave the server.
"""
from __future__ import annotations

import codecs
import csv
import io
from typing import IO, Any, Iterable, Optional

from ..text import export_cell, export_row

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
        writer.writerow(export_row(header))
        n = 0
        for row in rows:
            writer.writerow(["" if v is None else v for v in export_row(row)])
            n += 1
        text.flush()
        text.detach()
        return n
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    ws.freeze_panes = "A2"
    for i, name in enumerate(header):
        width = widths[i] if widths and i < len(widths) else max(10, min(40, 2 * len(str(name)) + 4))
        ws.column_dimensions[column_letter(i)].width = width
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE6F0")
    cells = xlsx_cells(ws, header)
    for cell in cells:
        cell.font, cell.fill = bold, fill
    ws.append(cells)
    n = 0
    for row in rows:
        ws.append(xlsx_cells(ws, row))
        n += 1
    if notes:
        ns = wb.create_sheet(notes_sheet[:31])
        for i, width in enumerate((24, 12, 60)):
            ns.column_dimensions[column_letter(i)].width = width
        for row in notes:
            ns.append(xlsx_cells(ns, row))
    wb.save(out)
    return n


def xlsx_cells(ws: Any, values: Iterable[Any]) -> list[Any]:
    """Return write-only cells of a row: values cleaned and neutralized, text always a string cell."""
    from openpyxl.cell import WriteOnlyCell
    cells = []
    for value in values:
        cell = WriteOnlyCell(ws, value=export_cell(value))
        if isinstance(cell.value, str):
            cell.data_type = "s"
        cells.append(cell)
    return cells


def sanitize_workbook(wb: Any) -> None:
    """Clean and neutralize every text cell of a (not write-only) workbook, and make it a string cell."""
    for ws in wb.worksheets:
        ws.title = export_cell(ws.title).lstrip("'")[:31] or "Sheet"
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = export_cell(cell.value)
                    cell.data_type = "s"


class SafeSheet:
    """A worksheet whose cell() and append() clean and neutralize text and keep it a string cell."""

    def __init__(self, ws: Any) -> None:
        object.__setattr__(self, "_ws", ws)

    def cell(self, row: int, column: int, value: Any = None) -> Any:
        cell = self._ws.cell(row=row, column=column)
        if value is not None:
            cell.value = export_cell(value)
            if isinstance(cell.value, str):
                cell.data_type = "s"
        return cell

    def append(self, values: Iterable[Any]) -> None:
        self._ws.append([export_cell(v) for v in values])
        for cell in self._ws[self._ws._current_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ws, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._ws, name, value)
