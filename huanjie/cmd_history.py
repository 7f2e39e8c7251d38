"""`huanjie verify [--election ID]`: check the history's hash chains and evidence files, print the digest."""
from __future__ import annotations

import sys
from typing import Optional

import click

from .base import database, main


@main.command("verify")
@click.option("--election", "election_id", type=int, default=None, help="check only this election's chain")
def verify_cmd(election_id: Optional[int]) -> None:
    """Check the history chains; print rows checked, broken chains and the digest; exit 1 when tampered."""
    from workflow.clock import today
    from workflow.services.integrity import verify_all
    with database().uow(write=False) as uow:
        result = verify_all(uow, election_id)
    click.echo(f"rows checked: {result['rows']} (chains: {result['chains']})")
    for item in result["broken"]:
        where = "chain without an election" if item["election"] is None else f"chain of election {item['election']}"
        click.echo(f"BROKEN {where}: first bad row {item['first_bad']}")
    for item in result["files_bad"]:
        click.echo(f"BROKEN evidence file {item['attachment']} of election {item['election']} "
                   f"(history row {item['history_id']}): {item['problem']}")
    day = result["day_check"]
    if day is not None:
        if day["ok"]:
            click.echo(f"stored digest of {day['date']}: matches the rows it covered")
        else:
            click.echo(f"BROKEN stored digest of {day['date']}: {day['stored']}, the rows now give {day['recomputed']}")
    click.echo(f"digest {today().isoformat()}: {result['digest']} ({result['digest_chains']} chains, "
               f"rows up to {result['max_id']})")
    click.echo("ok" if result["ok"] else "history is BROKEN")
    if not result["ok"]:
        sys.exit(1)
