"""Configuration from the environment, with safe defaults (api.md, command-line contract)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Optional


def instance_dir() -> Path:
    """Return the instance folder (HUANJIE_INSTANCE, default ./instance), creating it."""
    path = Path(os.environ.get("HUANJIE_INSTANCE", "instance")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """Return HUANJIE_DATABASE_URL, or an SQLite file in the instance folder."""
    url = os.environ.get("HUANJIE_DATABASE_URL", "").strip()
    if url:
        return _postgres_url(url)
    return f"sqlite:///{instance_dir() / 'huanjie.sqlite3'}"


def _postgres_url(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def read_database_url() -> Optional[str]:
    """Return HUANJIE_READ_DATABASE_URL (a streaming-replication standby for read-only work), or None."""
    url = os.environ.get("HUANJIE_READ_DATABASE_URL", "").strip()
    return _postgres_url(url) if url else None


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, got {raw!r}") from None
    if not 0 <= value <= 86400:
        raise ValueError(f"{name} must be between 0 and 86400 seconds")
    return value


def read_max_lag_seconds() -> float:
    """Return how far the standby may lag behind before reads skip it (HUANJIE_READ_MAX_LAG_SECONDS, default 5)."""
    return _seconds("HUANJIE_READ_MAX_LAG_SECONDS", 5.0)


def read_your_writes_seconds() -> float:
    """Return how long a user's reads stay on the primary after a write (HUANJIE_READ_YOUR_WRITES_SECONDS).

    The default is twice the lag limit: the standby is used only while it lags less than the limit (looked at
    every second), so once this window has passed it holds the user's write.
    """
    return _seconds("HUANJIE_READ_YOUR_WRITES_SECONDS", 2 * read_max_lag_seconds() + 1)


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
