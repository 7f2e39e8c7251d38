"""`huanjie backup --out DIR` and `huanjie restore DIR` (workflow/backup.py): a backup is proven by a restore."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .base import database, fail, main


@main.command("backup")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="a new or empty folder for the dump and its manifest")
def backup_cmd(out: Path) -> None:
    """Back the database up (pg_dump custom format, or SQLite's online backup) with a manifest of row counts."""
    from workflow.backup import backup
    try:
        manifest = backup(database(), out)
    except (RuntimeError, OSError) as exc:
        fail(str(exc))
    total = sum(manifest["rows"].values())
    click.echo(f"backup written to {out} ({manifest['file']}, {manifest['bytes']:,} bytes, {total:,} rows in "
               f"{len(manifest['rows'])} tables; history digest {manifest['history']['digest']})")


@main.command("restore")
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
def restore_cmd(folder: Path) -> None:
    """Restore a backup into the configured database, which must be empty; check it against the manifest."""
    from workflow.backup import restore
    try:
        result = restore(database(), folder)
    except (RuntimeError, OSError) as exc:
        fail(str(exc))
    for table, pair in result["differ"].items():
        click.echo(f"DIFFERS {table}: manifest {pair['manifest']}, restored {pair['restored']}")
    history = result["history"]
    click.echo(f"restored {sum(result['rows'].values()):,} rows in {len(result['rows'])} tables; history digest "
               f"{history['digest']} ({'same as' if history['digest'] == result['manifest']['history']['digest'] else 'DIFFERS from'} the manifest), chains "
               f"{'intact' if history['chains_ok'] else 'BROKEN'}")
    click.echo("ok" if result["ok"] else "restore does NOT match the backup")
    if not result["ok"]:
        sys.exit(1)
