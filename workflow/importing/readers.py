"""Streaming table readers: CSV (UTF-8 with or without BOM, GB18030) and XLSX (a defused streaming parser).

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row is row 2.
Neither reader holds the whole file in memory: CSV is decoded line by line, XLSX is parsed as a stream, and
every limit of :class:`~workflow.importing.limits.ReadLimits` (file size, inflated parts, rows, columns,
cells, characters) is checked while reading. Every importer reads its files through :func:`open_table`.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
from dataclasses import dataclass
from typing import IO, Any, Iterator, Optional

from .limits import FileProblem, LimitedZip, ReadLimits, check_file_size, too_large

__all__ = ["FileProblem", "ReadLimits", "Record", "Table", "open_table"]

UTF8_BOM = codecs.BOM_UTF8
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
CHUNK = 1 << 20


@dataclass
class Record:
    """One data row: its spreadsheet row number and cell values (None when its bytes could not be decoded)."""

    row: int
    values: Optional[list[Any]]


class Table:
    """A readable table: the header cells and an iterator over the data records."""

    def __init__(self, header: list[str], records: Iterator[Record], fmt: str, encoding: Optional[str] = None):
        self.header, self.records, self.format, self.encoding = header, records, fmt, encoding


def open_table(stream: IO[bytes], filename: str = "", limits: Optional[ReadLimits] = None) -> Table:
    """Open a CSV or XLSX stream (told apart by content, not by name) and read its header row.

    Raises FileProblem for a file that is not a table or is beyond a limit (ReadLimits.from_env() unless given);
    iterating the records may raise it too, at the first row beyond a limit.
    """
    limits = limits or ReadLimits.from_env()
    check_file_size(stream, limits)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(XLSX_MAGIC):
        return _xlsx(stream, limits)
    if head.startswith(OLE_MAGIC) or filename.lower().endswith(".xls"):
        raise FileProblem("old Excel .xls files are not supported: save the file as .xlsx or CSV",
                          "不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 格式")
    if not head:
        raise FileProblem("the file is empty", "文件为空")
    return _csv(stream, limits)


# ---------------------------------------------------------------- CSV
def detect_encoding(stream: IO[bytes]) -> str:
    """Return 'utf-8-sig', 'utf-8' or 'gb18030': the encoding the bytes decode in (furthest, if neither fully)."""
    if stream.read(3) == UTF8_BOM:
        stream.seek(0)
        return "utf-8-sig"
    stream.seek(0)
    decoders = {"utf-8": codecs.getincrementaldecoder("utf-8")(),
                "gb18030": codecs.getincrementaldecoder("gb18030")()}
    failed_at: dict[str, int] = {}
    offset = 0
    while True:
        chunk = stream.read(CHUNK)
        for name, decoder in decoders.items():
            if name in failed_at:
                continue
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                failed_at[name] = offset + max(exc.start, 0)
        if not chunk or len(failed_at) == len(decoders):
            break
        offset += len(chunk)
    stream.seek(0)
    for name in decoders:
        if name not in failed_at:
            return name
    # neither decodes everything: take the one that went further; the bad rows are reported one by one
    return max(decoders, key=lambda n: (failed_at[n], n == "utf-8"))


class _Lines:
    """Decodes a binary stream line by line, remembering whether a line since the last reset was undecodable."""

    def __init__(self, stream: IO[bytes], encoding: str) -> None:
        self.stream, self.encoding = stream, "utf-8" if encoding == "utf-8-sig" else encoding
        self.strip_bom = encoding == "utf-8-sig"
        self.bad = False

    def __iter__(self) -> Iterator[str]:
        first = True
        for raw in self.stream:
            if first and self.strip_bom and raw.startswith(UTF8_BOM):
                raw = raw[len(UTF8_BOM):]
            first = False
            try:
                yield raw.decode(self.encoding)
            except UnicodeDecodeError:
                self.bad = True
                yield raw.decode(self.encoding, errors="replace")


def _check_width(values: list[str], row: int, limits: ReadLimits) -> None:
    """Refuse a CSV row with more cells, or a longer cell, than the limits allow."""
    if len(values) > limits.columns:
        raise too_large(f"the number of cells in row {row}", f"第{row}行的单元格数", f"{limits.columns} columns", row)
    for value in values:
        if len(value) > limits.cell_chars:
            raise too_large(f"the text of one cell in row {row}", f"第{row}行单元格的文字长度",
                            f"{limits.cell_chars} characters", row)


def _csv(stream: IO[bytes], limits: ReadLimits) -> Table:
    encoding = detect_encoding(stream)
    lines = _Lines(stream, encoding)
    line_iter = iter(lines)
    first = next(line_iter, "")
    delimiter = "\t" if "\t" in first and "," not in first else ","

    def chained() -> Iterator[str]:
        yield first
        yield from line_iter

    reader = csv.reader(chained(), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise FileProblem(f"row 1: the header cannot be read ({exc})", f"第1行：无法读取表头（{exc}）", 1) from None
    if lines.bad:
        raise FileProblem("row 1: the header holds bytes that are neither UTF-8 nor GB18030",
                          "第1行：表头含有无法识别的字符（既不是 UTF-8 也不是 GB18030 编码）", 1)
    if not header or not any(cell.strip() for cell in header):
        raise FileProblem("the file has no header row", "文件没有表头行", 1)
    _check_width(header, 1, limits)

    def records() -> Iterator[Record]:
        row = 1
        while True:
            lines.bad = False
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise FileProblem(f"row {row + 1}: the line cannot be read as CSV ({exc})",
                                  f"第{row + 1}行：无法按 CSV 格式读取（{exc}）", row + 1) from None
            row += 1
            if row - 1 > limits.rows:
                raise too_large("the number of rows", "行数", f"{limits.rows} data rows", row)
            _check_width(values, row, limits)
            if lines.bad:
                yield Record(row, None)
            elif any(v.strip() for v in values):
                yield Record(row, list(values))

    return Table([h.strip() for h in header], records(), "csv", encoding)


# ---------------------------------------------------------------- XLSX
def _cell(value: Any) -> Any:
    """Normalize a spreadsheet value: integral floats become ints, dates become ISO text, text is stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    return value


def _xlsx(stream: IO[bytes], limits: ReadLimits) -> Table:
    from .xlsx_stream import Workbook
    archive = LimitedZip(stream, limits)
    try:
        rows = Workbook(archive, limits).rows()
        first = next(rows, None)
    except BaseException:
        archive.close()
        raise
    header_values = first[1] if first is not None and first[0] == 1 else None
    if not header_values or not any(_cell(v) != "" for v in header_values):
        archive.close()
        raise FileProblem("the first sheet has no header row in row 1", "第一个工作表的第1行不是表头", 1)
    header = [str(_cell(v)) for v in header_values]
    while header and header[-1] == "":
        header.pop()

    def records() -> Iterator[Record]:
        try:
            for row, raw in rows:
                values = [_cell(v) for v in raw]
                if any(v != "" for v in values):
                    yield Record(row, values)
        finally:
            archive.close()

    return Table(header, records(), "xlsx")

