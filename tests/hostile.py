"""Hostile spreadsheets built cheaply: a deflate stream of one block repeated, inside a hand-written zip.

A block compressed with a full flush does not depend on what came before it, so repeating its bytes N times is
a valid deflate stream of the block repeated N times: a gigabyte of XML costs a megabyte and a second.
"""
from __future__ import annotations

import struct
import zlib
from typing import Optional

CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                 b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                 b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>')
ROOT_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
             b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
             b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            b'2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            b'<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
                 b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                 b'2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
              b'spreadsheetml/2006/main"><sheetData>')
SHEET_TAIL = b"</sheetData></worksheet>"


class Part:
    """One zip member: its raw deflate bytes, CRC and inflated size (declared may lie)."""

    def __init__(self, name: str, head: bytes, block: bytes = b"", times: int = 0, tail: bytes = b"",
                 declared: Optional[int] = None) -> None:
        comp = zlib.compressobj(9, zlib.DEFLATED, -15)
        pieces = [comp.compress(head), comp.flush(zlib.Z_FULL_FLUSH)]
        crc = zlib.crc32(head)
        if times:
            repeated = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
            pieces.append(repeated * times)
            for _ in range(times):
                crc = zlib.crc32(block, crc)
        pieces.append(comp.compress(tail) + comp.flush(zlib.Z_FINISH))
        crc = zlib.crc32(tail, crc)
        self.name, self.data, self.crc = name.encode(), b"".join(pieces), crc & 0xFFFFFFFF
        self.size = len(head) + len(block) * times + len(tail)
        self.declared = self.size if declared is None else declared


def zip_bytes(parts: list[Part]) -> bytes:
    """Write a zip archive of deflated parts (zip64 sizes are not needed below 4 GB)."""
    out, central = bytearray(), bytearray()
    for p in parts:
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, p.crc, len(p.data), p.declared,
                           len(p.name), 0) + p.name + p.data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, p.crc, len(p.data),
                               p.declared, len(p.name), 0, 0, 0, 0, 0, offset) + p.name
    start = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(central), start, 0)
    return bytes(out)


def xlsx(sheet: Part, extra: Optional[list[Part]] = None) -> bytes:
    """Return a workbook whose first sheet is the given part."""
    return zip_bytes([Part("[Content_Types].xml", CONTENT_TYPES), Part("_rels/.rels", ROOT_RELS),
                      Part("xl/workbook.xml", WORKBOOK), Part("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
                      sheet, *(extra or [])])


def sheet(rows_xml: bytes = b"", block: bytes = b"", times: int = 0, tail: bytes = b"",
          declared: Optional[int] = None, head: bytes = SHEET_HEAD) -> Part:
    """Return a sheet part: head + rows, then block repeated times, then tail and the closing tags."""
    return Part("xl/worksheets/sheet1.xml", head + rows_xml, block, times, tail + SHEET_TAIL, declared)


def header_bomb(cells: int = 5_000_000) -> bytes:
    """A header row of millions of inline cells (the issue's 0.59 MB file)."""
    per = 1000
    return xlsx(sheet(b"<row r=\"1\">", b'<c t="inlineStr"><is><t>x</t></is></c>' * per, cells // per, b"</row>"))


def rows_bomb(rows: int = 6_000_000, header: bytes = b"") -> bytes:
    """A valid header row, then millions of one-cell rows without row numbers (the issue's 0.88 MB file)."""
    per = 1000
    return xlsx(sheet(b'<row r="1">' + header + b"</row>", b"<row><c><v>1</v></c></row>" * per, rows // per))


def whitespace_bomb(megabytes: int = 1024, declared: Optional[int] = None) -> bytes:
    """A sheet that inflates to a gigabyte of blanks between two elements (the issue's 1.05 MB file)."""
    return xlsx(sheet(b'<row r="1"><c t="inlineStr"><is><t>code</t></is></c></row>', b" " * (1 << 20), megabytes,
                      declared=declared))


def inline_row(values: list[str]) -> bytes:
    """Return the XML of inline-string cells."""
    from xml.sax.saxutils import escape
    return b"".join(f'<c t="inlineStr"><is><t>{escape(v)}</t></is></c>'.encode() for v in values)
