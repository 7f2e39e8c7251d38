"""Hard limits on uploaded tables, checked while streaming: a hostile file is refused before memory grows.

One place for every importer (structure, voter rolls, ...): ``ReadLimits.from_env()`` gives the configured
limits, :class:`LimitedZip` enforces the inflated size of each part (declared sizes first, then while inflating).
"""
from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, fields
from typing import IO, Any, Optional

MB = 1 << 20


class FileProblem(Exception):
    """The file as a whole cannot be read (not a table, empty, corrupt, too large); carries zh and en text."""

    def __init__(self, en: str, zh: str, row: Optional[int] = None) -> None:
        super().__init__(en)
        self.en, self.zh, self.row = en, zh, row

    def message(self, lang: str = "zh") -> str:
        """Return the message in the given language."""
        return self.en if lang.startswith("en") else self.zh


#: environment variable of each limit (README: "Import limits")
ENV = {"file_bytes": "HUANJIE_IMPORT_MAX_FILE_MB", "part_bytes": "HUANJIE_IMPORT_MAX_PART_MB",
       "total_bytes": "HUANJIE_IMPORT_MAX_INFLATED_MB", "rows": "HUANJIE_IMPORT_MAX_ROWS",
       "columns": "HUANJIE_IMPORT_MAX_COLUMNS", "cells_per_row": "HUANJIE_IMPORT_MAX_CELLS_PER_ROW",
       "cell_chars": "HUANJIE_IMPORT_MAX_CELL_CHARS", "shared_strings": "HUANJIE_IMPORT_MAX_SHARED_STRINGS"}


@dataclass(frozen=True)
class ReadLimits:
    """What a readable table may be at most (defaults fit a national structure file with room to spare)."""

    file_bytes: int = 32 * MB          # the uploaded file as it is
    part_bytes: int = 96 * MB          # one part of an XLSX archive once inflated
    total_bytes: int = 192 * MB        # all parts of an XLSX archive once inflated
    rows: int = 250_000                # data rows (the header not counted)
    columns: int = 100                 # the rightmost column a cell may stand in
    cells_per_row: int = 200           # cells written in one row (XLSX may list empty cells too)
    cell_chars: int = 32_767           # characters of one cell (Excel's own limit)
    shared_strings: int = 1_000_000    # distinct strings of an XLSX workbook

    @classmethod
    def from_env(cls, environ: Optional[dict[str, str]] = None) -> "ReadLimits":
        """Return the limits, each overridable by its HUANJIE_IMPORT_MAX_* variable (sizes in MB)."""
        env = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for f in fields(cls):
            raw = env.get(ENV[f.name], "").strip()
            if not raw:
                continue
            try:
                number = int(raw)
            except ValueError:
                raise ValueError(f"{ENV[f.name]} must be a whole number, not {raw!r}") from None
            if number < 1:
                raise ValueError(f"{ENV[f.name]} must be at least 1")
            values[f.name] = number * MB if f.name.endswith("_bytes") else number
        return cls(**values)


def too_large(what_en: str, what_zh: str, limit: Any, row: Optional[int] = None) -> FileProblem:
    """Return the refusal of a file beyond one limit."""
    return FileProblem(f"the file is refused: {what_en} exceeds the limit of {limit}",
                       f"文件被拒绝：{what_zh}超过上限（{limit}）", row)


def check_file_size(stream: IO[bytes], limits: ReadLimits) -> int:
    """Return the size of a seekable stream, refusing one beyond the file limit (position left at 0)."""
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size > limits.file_bytes:
        raise too_large(f"its size ({size} bytes)", f"文件大小（{size}字节）", f"{limits.file_bytes} bytes")
    return size


def corrupt(detail: str = "") -> FileProblem:
    """Return the refusal of an archive that cannot be read."""
    suffix = f" ({detail})" if detail else ""
    return FileProblem(f"the file is not a readable XLSX workbook: the archive is damaged{suffix}",
                       "文件不是有效的 XLSX 工作簿：压缩包已损坏，无法读取")


class _LimitedPart:
    """A zip member stream that refuses to inflate beyond the part limit (whatever the archive declares)."""

    def __init__(self, raw: IO[bytes], name: str, limit: int, budget: "LimitedZip") -> None:
        self.raw, self.name, self.limit, self.budget, self.read_bytes = raw, name, limit, budget, 0

    def read(self, n: int = -1) -> bytes:
        # never ask for more than one byte past the limit: the archive cannot make us inflate further
        room = self.limit - self.read_bytes + 1
        want = room if n is None or n < 0 else min(n, room)
        try:
            data = self.raw.read(want)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise corrupt(type(exc).__name__) from None
        except Exception as exc:  # zlib.error and friends: a damaged stream, never a server error
            raise corrupt(type(exc).__name__) from None
        self.read_bytes += len(data)
        if self.read_bytes > self.limit:
            raise too_large(f"the part {self.name} once inflated", f"压缩包内的 {self.name} 解压后的大小",
                            f"{self.limit} bytes")
        self.budget.spend(len(data))
        return data

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> "_LimitedPart":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class LimitedZip:
    """An XLSX archive whose declared sizes were checked and whose parts inflate within the limits."""

    def __init__(self, stream: IO[bytes], limits: ReadLimits) -> None:
        self.limits, self.spent = limits, 0
        try:
            self.zip = zipfile.ZipFile(stream)
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as exc:
            raise corrupt(type(exc).__name__) from None
        if len(infos) > 1000:
            raise too_large("the number of parts in the archive", "压缩包内的文件数", 1000)
        declared = 0
        for info in infos:
            if info.file_size > limits.part_bytes:
                raise too_large(f"the part {info.filename} (declared {info.file_size} bytes once inflated)",
                                f"压缩包内的 {info.filename}（声明解压后{info.file_size}字节）",
                                f"{limits.part_bytes} bytes")
            declared += info.file_size
        if declared > limits.total_bytes:
            raise too_large(f"the archive (declared {declared} bytes once inflated)",
                            f"压缩包（声明解压后共{declared}字节）", f"{limits.total_bytes} bytes")
        self.names = {info.filename for info in infos}

    def spend(self, n: int) -> None:
        """Count inflated bytes against the archive's total limit."""
        self.spent += n
        if self.spent > self.limits.total_bytes:
            raise too_large("the archive once inflated", "压缩包解压后的总大小", f"{self.limits.total_bytes} bytes")

    def open(self, name: str) -> _LimitedPart:
        """Open a part for streaming, within the part limit."""
        try:
            raw = self.zip.open(name)
        except KeyError:
            raise FileProblem(f"the file is not a readable XLSX workbook: the part {name} is missing",
                              f"文件不是有效的 XLSX 工作簿：缺少 {name}") from None
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
            raise corrupt(type(exc).__name__) from None
        return _LimitedPart(raw, name, self.limits.part_bytes, self)

    def close(self) -> None:
        self.zip.close()
