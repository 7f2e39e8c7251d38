"""The `huanjie` console script (api.md, command-line contract). Bad input: one line on stderr, exit 2.

The group and its shared helpers live in huanjie.base; each feature module (cmd_*.py) adds its own commands to the
group there, and this module imports them all, so no command module imports this one.
"""
from __future__ import annotations

import sys
from typing import Optional

import click

from . import cmd_backup, cmd_data, cmd_history, cmd_scheduler, cmd_serve  # noqa: F401 - each adds its commands
from .base import database, fail, main

__all__ = ["database", "fail", "main"]


@main.command("init-db")
def init_db() -> None:
    """Create or upgrade the schema (safe to run twice)."""
    from workflow.schema import upgrade
    db = database()
    upgrade(db.engine)
    click.echo(f"schema is up to date ({db.engine.url.render_as_string(hide_password=True)})")


@main.command("create-user")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["admin", "supervisor", "cadre", "inspector", "observer",
                                                                  "reviewer"]))
@click.option("--scope", default=None, help="region code (not needed for admin)")
@click.option("--department", default=None, help="a reviewer's joint-review department code (domain.md §12)")
@click.option("--password-stdin", is_flag=True, required=True, help="read the password from standard input")
def create_user_cmd(name: str, role: str, scope: Optional[str], department: Optional[str],
                    password_stdin: bool) -> None:
    """Create a user, reading the password from standard input."""
    from workflow.auth import SYSTEM
    from workflow.services.structure import create_user
    password = sys.stdin.readline().rstrip("\r\n")
    with database().uow() as uow:
        user = create_user(uow, SYSTEM, name, password, role, scope, department=department)
    click.echo(f"created user {user.username} ({role}{', scope ' + scope if scope else ''})")


@main.command("demo")
@click.option("--communities", default=1000, type=click.IntRange(1, 200000), show_default=True)
@click.option("--seed", default=2014, type=int, show_default=True)
def demo_cmd(communities: int, seed: int) -> None:
    """Load a realistic Liaoning demo data set and print the demo logins."""
    from workflow.demo import load_demo
    from workflow.schema import upgrade
    db = database()
    upgrade(db.engine)
    try:
        logins = load_demo(db, communities=communities, seed=seed, echo=click.echo)
    except ValueError as exc:
        fail(str(exc))
    click.echo("\nDemo logins (username / password / role / scope):")
    for row in logins:
        click.echo("  " + "  ".join(row))


if __name__ == "__main__":  # `python -m huanjie.cli`
    main()
