"""Alembic environment: runs migrations on the connection or URL that init-db hands over."""
from __future__ import annotations

from alembic import context
from sqlalchemy import pool

from workflow.db import make_engine
from workflow.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                          transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or None, poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True,
                          transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()


run()
