"""`huanjie import KIND FILE` and `huanjie report --campaign C --city CODE --format xlsx|csv|json [--out PATH]`."""
from __future__ import annotations

import io
import os
import sys
import tempfile
from typing import IO, Callable, Optional

import click

from .base import database, fail, main

LANGS = click.Choice(["zh", "en"])


@main.command("import")
@click.argument("kind", type=click.Choice(["regions", "communities", "users", "responsibilities", "voters"]))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--election", "election", default=None, help="voters: the residents' election whose roll it is")
@click.option("--lang", type=LANGS, default="zh", show_default=True, help="language of the problems listed")
def import_cmd(kind: str, file: str, election: Optional[str], lang: str) -> None:
    """Import regions, communities, users, responsibilities or a voter roll (--election ID) from CSV or XLSX,
    all or nothing."""
    from workflow.auth import SYSTEM
    from workflow.errors import DomainError
    from workflow.services.imports import ImportRejected, import_file
    from workflow.services.voters_io import import_voters
    if kind == "voters" and not election:
        fail("voters: --election ID is required")
    if kind != "voters" and election:
        fail("--election is only for voters")
    try:
        stream = open(file, "rb")
    except OSError as exc:
        fail(f"cannot open {file}: {exc.strerror or exc}")
    en = lang == "en"
    with stream:
        try:
            with database().uow() as uow:
                if kind == "voters":
                    done = import_voters(uow, SYSTEM, election, stream, os.path.basename(file))
                    result = {"rows": done["rows"], "created": done["imported"], "updated": 0, "unchanged": 0}
                else:
                    result = import_file(uow, SYSTEM, kind, stream, os.path.basename(file))
        except ImportRejected as exc:
            for p in exc.rows(lang):
                where = (f"row {p['row']}" if en else f"第{p['row']}行") if p["row"] else ""
                column = (f", column {p['column']}" if en else f"，列“{p['column']}”") if p["column"] else ""
                click.echo(f"{where}{column}{': ' if en else '：'}{p['problem']}" if where or column else p["problem"])
            fail(f"{len(exc.row_problems)} problem(s) in {file}; nothing was imported")
        except DomainError as exc:
            fail(exc.message(lang))
    click.echo((f"{kind}: {result['rows']} rows; created {result['created']}, updated {result['updated']}, "
                f"unchanged {result['unchanged']}") if en else
               (f"{kind}：共{result['rows']}行；新增{result['created']}，更新{result['updated']}，"
                f"未变{result['unchanged']}"))


@main.command("report")
@click.option("--campaign", "campaign", required=True, help="campaign code")
@click.option("--city", "city", required=True, help="city code (a province or county code also works)")
@click.option("--format", "fmt", required=True, type=click.Choice(["xlsx", "csv", "json"]))
@click.option("--out", "out", default=None, type=click.Path(dir_okay=False), help="file to write (xlsx: required)")
@click.option("--lang", type=LANGS, default="zh", show_default=True, help="language of headers and labels")
def report_cmd(campaign: str, city: str, fmt: str, out: Optional[str], lang: str) -> None:
    """Write the city summary report (domain.md §7): xlsx needs --out; csv and json go to stdout without it."""
    from sqlalchemy import select

    from workflow.auth import SYSTEM
    from workflow.models import Campaign, Region
    from workflow.services.report_files import report_json, write_report_csv, write_report_xlsx
    from workflow.services.reports import build_report
    if fmt == "xlsx" and not out:
        fail("--out is required for --format xlsx")
    with database().uow(write=False) as uow:
        if uow.session.scalar(select(Campaign.id).where(Campaign.code == campaign)) is None:
            fail(f"unknown campaign {campaign}")
        if uow.session.scalar(select(Region.id).where(Region.code == city)) is None:
            fail(f"unknown city {city}")
        report = build_report(uow, SYSTEM, campaign, city)
    if fmt == "json":
        _emit(out, lambda f: f.write(report_json(report).encode("utf-8") + b"\n"))
    elif fmt == "csv":
        def csv_bytes(f: IO[bytes]) -> None:
            if out:
                f.write(b"\xef\xbb\xbf")  # a BOM, so that Excel reads the file as UTF-8
            text = io.TextIOWrapper(f, encoding="utf-8", newline="", write_through=True)
            write_report_csv(report, text, lang)
            text.flush()
            text.detach()
        _emit(out, csv_bytes)
    else:
        _emit(out, lambda f: write_report_xlsx(report, f, lang))
    if out:
        click.echo(f"wrote {out}", err=True)


def _emit(out: Optional[str], write: Callable[[IO[bytes]], object]) -> None:
    """Write to standard output, or to a file replaced atomically (no half-written report on failure)."""
    if not out:
        write(sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    folder = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(folder):
        fail(f"cannot write {out}: no such directory")
    fd, tmp = tempfile.mkstemp(prefix=".report-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@main.command("check-text")
def check_text_cmd() -> None:
    """List stored text that the text rule would refuse today (exit 1 when there is any)."""
    from workflow.services.text_check import offending_rows
    found = 0
    with database().uow(write=False) as uow:
        for offender in offending_rows(uow):
            click.echo(offender.line())
            found += 1
    click.echo(f"{found} stored value(s) break the text rule" if found else "every stored text follows the text rule",
               err=True)
    if found:
        sys.exit(1)
