"""A streaming XLSX reader that holds one row at a time and never resolves a DTD or an entity.

openpyxl's read-only mode builds a whole ``<row>`` in memory before it yields it (a header of five million
inline cells costs gigabytes) and fills gaps up to any row number a file names; this reader counts rows,
columns, cells and characters while expat parses, and stops at the first limit. The parser refuses any
document type declaration, entity declaration or external reference (as defusedxml does): no billion
laughs, no XXE.
"""
from __future__ import annotations

import datetime as dt
import posixpath
import re
from typing import Any, Callable, Iterator, Optional
from xml.parsers import expat

from .limits import FileProblem, LimitedZip, ReadLimits, corrupt, too_large

CHUNK = 64 * 1024
REL_NS_SUFFIX = "/relationships"
_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)$")
Handlers = tuple[Callable[[str, dict[str, str]], None], Callable[[str], None], Callable[[str], None]]


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _forbidden(*_args: Any) -> None:
    raise FileProblem("the file is refused: its XML declares a document type or entities",
                      "文件被拒绝：其 XML 含有文档类型声明（DTD）或实体定义")


def parse_part(archive: LimitedZip, name: str, handlers: Handlers, after_chunk: Optional[Callable[[], Any]] = None,
               ) -> Iterator[Any]:
    """Parse one part with a defused expat parser; after each chunk, yield what after_chunk returns."""
    start, end, chars = handlers
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    parser.StartDoctypeDeclHandler = _forbidden
    parser.EntityDeclHandler = _forbidden
    parser.UnparsedEntityDeclHandler = _forbidden
    parser.ExternalEntityRefHandler = _forbidden
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = lambda n, a: start(_local(n), a)
    parser.EndElementHandler = lambda n: end(_local(n))
    parser.CharacterDataHandler = chars
    with archive.open(name) as src:
        try:
            while True:
                data = src.read(CHUNK)
                parser.Parse(data, not data)
                if after_chunk is not None:
                    yield after_chunk()
                if not data:
                    break
        except expat.ExpatError as exc:
            raise corrupt(f"{name}: {expat.ErrorString(exc.code)}") from None


def _drain(parts: Iterator[Any]) -> None:
    for _ in parts:
        pass


def _attrs_of(archive: LimitedZip, name: str, tags: set[str]) -> list[tuple[str, dict[str, str]]]:
    """Return (tag, attributes) of every element named in tags (small parts: rels, workbook)."""
    found: list[tuple[str, dict[str, str]]] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag in tags and len(found) < 10_000:
            found.append((tag, {_local(k): v for k, v in attrs.items()}))

    _drain(parse_part(archive, name, (start, lambda t: None, lambda c: None)))
    return found


def _rels(archive: LimitedZip, name: str) -> dict[str, tuple[str, str]]:
    """Return {Id: (Type, Target)} of a relationships part (empty when absent)."""
    if name not in archive.names:
        return {}
    return {a.get("Id", ""): (a.get("Type", ""), a.get("Target", "")) for _t, a in _attrs_of(archive, name, {"Relationship"})}


def _resolve(base_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def _rels_path(part: str) -> str:
    folder, _, file = part.rpartition("/")
    return f"{folder}/_rels/{file}.rels" if folder else f"_rels/{file}.rels"


class _Text:
    """Collects the text of one element, refusing more characters than a cell may hold."""

    def __init__(self, limit: int) -> None:
        self.limit, self.parts, self.size = limit, [], 0

    def add(self, text: str) -> None:
        self.size += len(text)
        if self.size > self.limit:
            raise too_large("the text of one cell", "单元格的文字长度", f"{self.limit} characters")
        self.parts.append(text)

    def value(self) -> str:
        return "".join(self.parts)


def shared_strings(archive: LimitedZip, name: Optional[str], limits: ReadLimits) -> list[str]:
    """Return the shared strings (phonetic runs left out), within the count and cell-length limits."""
    if not name or name not in archive.names:
        return []
    out: list[str] = []
    state: dict[str, Any] = {"si": None, "t": False, "rph": 0}

    def start(tag: str, _attrs: dict[str, str]) -> None:
        if tag == "si":
            if len(out) >= limits.shared_strings:
                raise too_large("the number of shared strings", "共享字符串的数量", limits.shared_strings)
            state["si"] = _Text(limits.cell_chars)
        elif tag == "rPh":
            state["rph"] += 1
        elif tag == "t" and state["si"] is not None and not state["rph"]:
            state["t"] = True

    def end(tag: str) -> None:
        if tag == "si" and state["si"] is not None:
            out.append(state["si"].value())
            state["si"] = None
        elif tag == "rPh":
            state["rph"] -= 1
        elif tag == "t":
            state["t"] = False

    def chars(text: str) -> None:
        if state["t"]:
            state["si"].add(text)

    _drain(parse_part(archive, name, (start, end, chars)))
    return out


def date_styles(archive: LimitedZip, name: Optional[str]) -> set[int]:
    """Return the indexes of cell formats that show a number as a date."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
    if not name or name not in archive.names:
        return set()
    custom: dict[int, str] = {}
    xfs: list[int] = []
    depth = {"cellXfs": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "numFmt":
            try:
                custom[int(attrs.get("numFmtId", "-1"))] = attrs.get("formatCode", "")
            except ValueError:
                pass
        elif tag == "cellXfs":
            depth["cellXfs"] += 1
        elif tag == "xf" and depth["cellXfs"] and len(xfs) < 100_000:
            try:
                xfs.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                xfs.append(0)

    def end(tag: str) -> None:
        if tag == "cellXfs":
            depth["cellXfs"] -= 1

    _drain(parse_part(archive, name, (start, end, lambda c: None)))
    dates = set()
    for index, fmt_id in enumerate(xfs):
        code = custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id, ""))
        if code and is_date_format(code):
            dates.add(index)
    return dates


class Workbook:
    """The parts of a workbook a table needs: its first sheet, shared strings, date styles and epoch."""

    def __init__(self, archive: LimitedZip, limits: ReadLimits) -> None:
        self.archive, self.limits = archive, limits
        root = _rels(archive, "_rels/.rels")
        book = next((_resolve("", t) for ty, t in root.values() if ty.endswith("/officeDocument")), "xl/workbook.xml")
        if book not in archive.names:
            raise FileProblem("the file is not a readable XLSX workbook: it has no workbook part",
                              "文件不是有效的 XLSX 工作簿：缺少工作簿部分")
        found = _attrs_of(archive, book, {"sheet", "workbookPr"})
        rels = _rels(archive, _rels_path(book))
        self.date1904 = any(t == "workbookPr" and a.get("date1904", "0") in ("1", "true") for t, a in found)
        sheets = [a for t, a in found if t == "sheet"]
        if not sheets:
            raise FileProblem("the workbook has no sheet", "工作簿中没有工作表")
        rid = sheets[0].get("id", "")
        sheet = rels.get(rid, ("", "xl/worksheets/sheet1.xml"))[1]
        self.sheet = _resolve(book, sheet)
        by_type = {ty.rpartition("/")[2]: _resolve(book, t) for ty, t in rels.values()}
        self.strings = shared_strings(archive, by_type.get("sharedStrings"), limits)
        self.dates = date_styles(archive, by_type.get("styles"))

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """Yield (row number, values) of the first sheet, checking every limit while parsing."""
        return _SheetRows(self).run()


def _column(ref: str) -> Optional[int]:
    """Return the 0-based column of a cell reference like 'AB12', or None."""
    match = _CELL_REF.match(ref)
    if not match:
        return None
    index = 0
    for ch in match.group(1):
        index = index * 26 + ord(ch) - 64
    return index - 1


class _SheetRows:
    """The state of one pass over a sheet: the row being built and the finished rows of the last chunk."""

    def __init__(self, book: Workbook) -> None:
        self.book, self.limits = book, book.limits
        self.done: list[tuple[int, list[Any]]] = []
        self.row_number = 0
        self.cells: dict[int, Any] = {}
        self.count = 0
        self.next_col = 0
        self.cell: Optional[dict[str, Any]] = None
        self.text: Optional[_Text] = None
        self.rph = 0

    def run(self) -> Iterator[tuple[int, list[Any]]]:
        handlers = (self.start, self.end, self.chars)
        for finished in parse_part(self.book.archive, self.book.sheet, handlers, self.take):
            yield from finished

    def take(self) -> list[tuple[int, list[Any]]]:
        done, self.done = self.done, []
        return done

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == "c":
            self.count += 1
            if self.count > self.limits.cells_per_row:
                raise too_large(f"the number of cells in row {self.row_number}", f"第{self.row_number}行的单元格数",
                                self.limits.cells_per_row, self.row_number)
            col = _column(attrs.get("r", "").upper())
            col = self.next_col if col is None else col
            if col >= self.limits.columns:
                raise too_large(f"the column of a cell in row {self.row_number}", f"第{self.row_number}行单元格所在的列",
                                f"{self.limits.columns} columns", self.row_number)
            self.next_col = col + 1
            self.cell = {"col": col, "t": attrs.get("t", "n"), "s": attrs.get("s"), "v": None, "is": None}
        elif self.cell is not None and tag == "v":
            self.text = _Text(self.limits.cell_chars)
        elif self.cell is not None and tag == "is":
            self.cell["is"] = _Text(self.limits.cell_chars)
        elif self.cell is not None and tag == "rPh":
            self.rph += 1
        elif self.cell is not None and tag == "t" and self.cell["is"] is not None and not self.rph:
            self.text = self.cell["is"]
        elif tag == "row":
            self.open_row(attrs.get("r"))

    def open_row(self, ref: Optional[str]) -> None:
        number = self.row_number + 1
        if ref:
            try:
                number = int(ref)
            except ValueError:
                raise corrupt(f"row number {ref[:20]!r}") from None
        if number <= self.row_number:
            raise corrupt(f"row {number} after row {self.row_number}")
        if number - 1 > self.limits.rows:
            raise too_large("the number of rows", "行数", f"{self.limits.rows} data rows", number)
        self.row_number, self.cells, self.count, self.next_col = number, {}, 0, 0

    def end(self, tag: str) -> None:
        if tag == "v" and self.cell is not None and self.text is not None:
            self.cell["v"] = self.text.value()
            self.text = None
        elif tag == "t":
            self.text = None
        elif tag == "rPh":
            self.rph -= 1
        elif tag == "c" and self.cell is not None:
            self.cells[self.cell["col"]] = self.value(self.cell)
            self.cell = None
        elif tag == "row":
            width = max(self.cells) + 1 if self.cells else 0
            self.done.append((self.row_number, [self.cells.get(i) for i in range(width)]))
            self.cells = {}

    def chars(self, text: str) -> None:
        if self.text is not None:
            self.text.add(text)

    def value(self, cell: dict[str, Any]) -> Any:
        kind, raw = cell["t"], cell["v"]
        if kind == "inlineStr":
            return cell["is"].value() if cell["is"] is not None else raw
        if raw is None or raw == "" and kind != "str":
            return None
        if kind == "s":
            try:
                return self.book.strings[int(raw)]
            except (ValueError, IndexError):
                raise corrupt(f"shared string {raw[:20]!r}") from None
        if kind in ("str", "e"):
            return raw
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "d":
            try:
                return dt.datetime.fromisoformat(raw.strip())
            except ValueError:
                return raw
        try:
            number = float(raw) if any(ch in raw for ch in ".eE") else int(raw)
        except ValueError:
            raise corrupt(f"number {raw[:20]!r}") from None
        if cell["s"] is not None and self._is_date(cell["s"]):
            return self._date(number)
        return number

    def _is_date(self, style: str) -> bool:
        try:
            return int(style) in self.book.dates
        except ValueError:
            return False

    def _date(self, number: float) -> Any:
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel
        try:
            return from_excel(number, CALENDAR_MAC_1904 if self.book.date1904 else CALENDAR_WINDOWS_1900)
        except (ValueError, OverflowError):
            return number
