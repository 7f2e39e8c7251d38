"""Password hashing with Argon2id (a modern KDF)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
MIN_LENGTH = 8


def hash_password(password: str) -> str:
    """Hash a password."""
    return _hasher.hash(password)


def check_password(stored: str, password: str) -> bool:
    """Return whether password matches the stored hash."""
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
