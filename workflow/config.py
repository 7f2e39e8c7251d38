"""Configuration from the environment, with safe defaults (api.md, command-line contract)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def instance_dir() -> Path:
    """Return the instance folder (HUANJIE_INSTANCE, default ./instance), creating it."""
    path = Path(os.environ.get("HUANJIE_INSTANCE", "instance")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """Return HUANJIE_DATABASE_URL, or an SQLite file in the instance folder."""
    url = os.environ.get("HUANJIE_DATABASE_URL", "").strip()
    if url:
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    return f"sqlite:///{instance_dir() / 'huanjie.sqlite3'}"


def secret_key() -> str:
    """Return HUANJIE_SECRET_KEY, or one generated once and kept in the instance folder."""
    key = os.environ.get("HUANJIE_SECRET_KEY", "").strip()
    if key:
        return key
    path = instance_dir() / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def identity_key() -> bytes:
    """Return the per-deployment key of id-number hashes (HUANJIE_IDENTITY_KEY, or kept beside the secret key)."""
    key = os.environ.get("HUANJIE_IDENTITY_KEY", "").strip()
    if not key:
        path = instance_dir() / "identity_key"
        if not path.exists():
            path.write_text(secrets.token_hex(32), encoding="utf-8")
            path.chmod(0o600)
        key = path.read_text(encoding="utf-8").strip()
    return key.encode("utf-8")
