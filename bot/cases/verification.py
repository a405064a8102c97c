"""Proof of ownership for a status look-up: the last four digits of the applicant's phone.

The store keeps ``HMAC-SHA256(key, last four digits)`` next to each case, so the look-up path
compares digests (in constant time) and never reads the phone number itself. Without the key
a leaked table does not reveal the digits, even though only 10 000 values exist.

    GONGKAI_SECRET_KEY   the HMAC key. Unset: a fixed development key is used and a warning is
                         logged; set a long random value in production. Changing it invalidates
                         every stored digest (re-import or re-push the cases afterwards).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import unicodedata
from typing import Mapping, Optional

log = logging.getLogger(__name__)

SECRET_KEY_ENV = "GONGKAI_SECRET_KEY"
DEV_SECRET_KEY = "gongkai-dev-only-insecure-key-set-GONGKAI_SECRET_KEY"

_warned = False


def secret_key(env: Mapping[str, str] = os.environ) -> bytes:
    """The configured HMAC key, or the development key (with a warning, once per process)."""
    global _warned
    key = env.get(SECRET_KEY_ENV, "").strip()
    if key:
        return key.encode("utf-8")
    if not _warned:
        log.warning(
            "%s is not set: using the built-in development key. Set a long random secret in "
            "production, or phone checks can be brute-forced from a copy of the database.",
            SECRET_KEY_ENV,
        )
        _warned = True
    return DEV_SECRET_KEY.encode("utf-8")


def digits(text: str) -> str:
    """The ASCII digits in ``text`` (full-width digits count)."""
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text))


def last_four(text: Optional[str]) -> Optional[str]:
    """The last four digits of a phone number or of a typed answer, or None if fewer than four.

    A citizen may type 「尾号1234」, 「１２３４」 or the whole number: all give ``1234``."""
    found = digits(text or "")
    return found[-4:] if len(found) >= 4 else None


def digest(last4: str, key: bytes) -> str:
    return hmac.new(key, f"phone-last4:{last4}".encode("ascii"), hashlib.sha256).hexdigest()


def phone_digest(phone: str, key: bytes) -> str:
    """The stored digest for ``phone``; the phone must have at least four digits."""
    last4 = last_four(phone)
    if last4 is None:
        raise ValueError("a phone number needs at least four digits")
    return digest(last4, key)


# Compared against when the case does not exist, so that path costs the same as a real check.
_DUMMY_DIGEST = "0" * 64


def factor_matches(factor: Optional[str], stored_digest: Optional[str], key: bytes) -> bool:
    """Whether ``factor`` is the right answer for ``stored_digest`` (None: no such case).

    Always computes one HMAC and one constant-time comparison, whatever the input."""
    last4 = last_four(factor)
    candidate = digest(last4 if last4 is not None else "----", key)
    same = hmac.compare_digest(candidate, stored_digest or _DUMMY_DIGEST)
    return same and last4 is not None and stored_digest is not None
