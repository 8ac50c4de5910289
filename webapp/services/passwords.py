"""Password hashing with Argon2id (memory-hard)."""
from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# "fast" exists so the test suite can create hundreds of accounts; production refuses it.
_PROFILES = {
    "standard": dict(time_cost=3, memory_cost=64 * 1024, parallelism=2),
    "fast": dict(time_cost=1, memory_cost=1024, parallelism=1),
}
UNUSABLE_PASSWORD = "!unusable"


@cache
def _hasher(profile: str) -> PasswordHasher:
    return PasswordHasher(**_PROFILES[profile])


def hash_password(password: str, *, profile: str = "standard") -> str:
    return _hasher(profile).hash(password)


def verify_password(password_hash: str, password: str, *, profile: str = "standard") -> bool:
    try:
        return _hasher(profile).verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def burn_verification(password: str, *, profile: str = "standard") -> None:
    """Spend the time of one verification, so unknown e-mails answer as slowly as known ones."""
    verify_password(_dummy_hash(profile), password, profile=profile)


@cache
def _dummy_hash(profile: str) -> str:
    return hash_password("kyodo-dummy-password", profile=profile)
