"""The `huanjie` console script (api.md, command-line contract). Bad input: one line on stderr, exit 2."""
from __future__ import annotations

import sys
from typing import Any, NoReturn, Optional

import click
from sqlalchemy.exc import SQLAlchemyError

from workflow.db import Database
from workflow.errors import DomainError


def fail(message: str) -> NoReturn:
    """Print a one-line error and exit with status 2."""
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


class Group(click.Group):
    """A group whose usage errors are one line and exit 2, and whose domain errors are reported cleanly."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.Abort:
            fail("aborted")
        except click.ClickException as exc:
            fail(exc.format_message().replace("\n", " "))
        except DomainError as exc:
            fail(exc.message("en"))
        except SQLAlchemyError as exc:
            detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            fail(f"database error ({detail}); has `huanjie init-db` been run on this database?")


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Huanjie: community election workflow (换届选举)."""


def database() -> Database:
    """Open the configured database (HUANJIE_DATABASE_URL or the instance SQLite file)."""
    return Database()


@main.command("init-db")
def init_db() -> None:
    """Create or upgrade the schema (safe to run twice)."""
    from workflow.schema import upgrade
    db = database()
    upgrade(db.engine)
    click.echo(f"schema is up to date ({db.engine.url.render_as_string(hide_password=True)})")


@main.command("create-user")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["admin", "supervisor", "cadre", "inspector", "observer"]))
@click.option("--scope", default=None, help="region code (not needed for admin)")
@click.option("--password-stdin", is_flag=True, required=True, help="read the password from standard input")
def create_user_cmd(name: str, role: str, scope: Optional[str], password_stdin: bool) -> None:
    """Create a user, reading the password from standard input."""
    from workflow.auth import SYSTEM
    from workflow.services.structure import create_user
    password = sys.stdin.readline().rstrip("\r\n")
    with database().uow() as uow:
        user = create_user(uow, SYSTEM, name, password, role, scope)
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


# commands that live with their own feature
from . import commands  # noqa: E402,F401


if __name__ == "__main__":  # `python -m huanjie.cli`: run the real module so feature commands are registered
    from huanjie.cli import main as _main
    _main()
