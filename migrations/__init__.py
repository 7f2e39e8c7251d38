"""Alembic migrations, shipped inside the package so `huanjie init-db` works from an installed wheel."""
