"""Agent passwords: argon2id hashes (argon2-cffi's defaults), never the password itself."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.core.errors import RefusedError

MIN_LENGTH = 10
MAX_LENGTH = 256  # argon2 takes any length; a cap keeps a huge body from costing CPU

_hasher = PasswordHasher()
# verified against when the username is unknown, so the answer takes as long either way
_DUMMY_HASH = _hasher.hash("an unknown agent has no password")


class WeakPassword(RefusedError):
    """The password does not meet the rules."""


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"密码至少需要{MIN_LENGTH}个字符。")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"密码不能超过{MAX_LENGTH}个字符。")
    if len(set(password)) < 4:
        raise WeakPassword("密码过于简单，请混用不同的字母、数字或符号。")


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a None hash (unknown user) costs the same and is False."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        ok = _hasher.verify(password_hash or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return ok and password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
