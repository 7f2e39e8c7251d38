"""The `huanjie` command group and what every command shares: one-line errors (exit 2) and the database."""
from __future__ import annotations

import sys
from typing import Any, NoReturn

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
