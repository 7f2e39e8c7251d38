"""Create or upgrade the schema with Alembic (init-db), idempotently."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine


def alembic_config(engine: Optional[Engine]) -> Config:
    """Return an Alembic config pointing at the packaged migrations (and at the engine's database, if given)."""
    import migrations
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(migrations.__file__).parent))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema (safe to run twice)."""
    cfg = alembic_config(engine)
    # Alembic runs each migration in a transaction of its own (env.py: transaction_per_migration), so that a
    # migration may commit as it goes (0002 hashes the history a batch at a time, resumably)
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        conn.commit()
