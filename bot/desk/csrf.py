"""CSRF tokens: random per session (and per login form), compared in constant time."""
from __future__ import annotations

import hmac
import secrets
from typing import Optional

HEADER = "X-CSRF-Token"
FIELD = "csrf_token"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(expected: Optional[str], given: Optional[str]) -> bool:
    """Both present and equal; the comparison time does not depend on where they differ."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))
