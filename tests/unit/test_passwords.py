"""Production hashes passwords with Argon2id at its own parameters; the cheap hasher exists in tests only."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from workflow.passwords import check_password, hash_password

ROOT = Path(__file__).resolve().parents[2]
# OWASP's minimum for Argon2id: 19 MiB, 2 iterations, 1 lane
PRODUCTION_PREFIX = "$argon2id$v=19$m=19456,t=2,p=1$"


def _production_hash() -> str:
    """Hash a password in a fresh interpreter, where no test has replaced the hasher."""
    code = "from workflow.passwords import hash_password; print(hash_password('correct horse 1'))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_production_hashes_passwords_with_argon2id_at_19_mib_two_iterations_one_lane() -> None:
    assert _production_hash().startswith(PRODUCTION_PREFIX)


def test_a_production_hash_verifies_here_and_a_wrong_password_does_not() -> None:
    stored = _production_hash()
    assert check_password(stored, "correct horse 1")
    assert not check_password(stored, "correct horse 2")
    assert not check_password("not a hash", "correct horse 1")


def test_the_tests_hash_with_argon2id_too_only_cheaper() -> None:
    stored = hash_password("correct horse 1")
    assert stored.startswith("$argon2id$") and not stored.startswith(PRODUCTION_PREFIX)
    assert check_password(stored, "correct horse 1")
