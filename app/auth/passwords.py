"""Password hashing (argon2id) and the password policy: long, no composition rules, no known-bad."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

MIN_LENGTH = 12
MAX_LENGTH = 128


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config.get("ARGON2_TIME_COST", 3),
        memory_cost=config.get("ARGON2_MEMORY_COST", 65536),
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Spend the same effort as a real check, so timing does not reveal unknown accounts.
        _hasher().hash(password)
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@cache
def _common_passwords() -> frozenset[str]:
    text = resources.files("app.auth").joinpath("common_passwords.txt").read_text()
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def _letters(value: str) -> str:
    return re.sub(r"[^a-z]", "", value.lower())


def password_problems(password: str, *, partnership_name: str, email: str = "") -> list[str]:
    """Why a new password is refused, in words a user can act on. Empty when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return [f"Password must be at least {MIN_LENGTH} characters long"]
    if len(password) > MAX_LENGTH:
        return [f"Password must be {MAX_LENGTH} characters or fewer"]
    lowered = password.lower()
    letters = _letters(password)
    name_words = {w for w in _letters_words(partnership_name) if len(w) >= 5}
    if letters and (letters == _letters(partnership_name) or letters in name_words):
        return ["Choose a password that is not the partnership's name"]
    if lowered in _common_passwords() or letters in _common_passwords() or len(set(lowered)) <= 2:
        return ["Choose a password that is harder to guess: this one is on a list of common passwords"]
    if email and letters and letters == _letters(email.split("@")[0]):
        return ["Choose a password that is not your email address"]
    return []


def _letters_words(value: str) -> list[str]:
    return [_letters(word) for word in value.split()]
