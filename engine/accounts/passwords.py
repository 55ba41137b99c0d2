"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from engine.errors import N_

MIN_LENGTH = 10
# The most common passwords seen in breach corpora, plus local favourites; refused outright.
COMMON = frozenset(
    [
        "password",
        "password1",
        "password123",
        "123456789",
        "1234567890",
        "12345678910",
        "qwertyuiop",
        "1q2w3e4r5t",
        "iloveyou123",
        "welcome123",
        "admin12345",
        "administrator",
        "letmein123",
        "cambodia123",
        "phnompenh1",
        "khmer12345",
        "reintegra1",
        "changeme123",
        "abc1234567",
        "passw0rd123",
        "0123456789",
        "1111111111",
        "aaaaaaaaaa",
    ]
)


TOO_SHORT = N_("The password must be at least 10 characters long.")  # MIN_LENGTH: tests check they agree
TOO_COMMON = N_("This password is too common; choose another.")
HAS_USERNAME = N_("The password must not contain the user name.")
MESSAGES = (TOO_SHORT, TOO_COMMON, HAS_USERNAME)


def make_hasher(profile: str) -> PasswordHasher:
    """argon2id with the library's defaults, or a cheap profile that only tests may use."""
    if profile == "fast":
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


def policy_problem(password: str, *, username: str) -> str | None:
    """Say what is wrong with ``password``, or ``None`` when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if password.casefold() in COMMON:
        return TOO_COMMON
    if username and username.casefold() in password.casefold():
        return HAS_USERNAME
    return None


def verify(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    """True when ``password`` matches ``password_hash``."""
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
