"""Proof of ownership for a status look-up: the query code (查询码) printed on the 受理回执.

A query code is 12 random decimal digits, printed in groups of four (``3815 0274 6692``). Digits
only: a retiree on WeChat types them on the number pad without switching input methods, and no
two symbols look alike. 10^12 codes, and at most a handful of guesses per case before its online
look-up is locked (``bot.cases.store``), put guessing out of reach. What people type is read
leniently: full-width digits, spaces, hyphens, or the code inside a sentence.

The store keeps only ``HMAC-SHA256(key, code)``, so the look-up compares digests (in constant
time) and a copy of the table does not reveal the codes.

    GONGKAI_SECRET_KEY   the HMAC key. Unset: a fixed development key is used and a warning is
                         logged; set a long random value in production. Changing it invalidates
                         every stored digest (re-import or re-push the cases afterwards).

``python -m bot.cases.verification [N]`` prints N new random codes (for an agency whose case
system does not make them yet).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import sys
import unicodedata
from typing import Optional

from bot.core.settings import settings

log = logging.getLogger(__name__)

SECRET_KEY_ENV = "GONGKAI_SECRET_KEY"
DEV_SECRET_KEY = "gongkai-dev-only-insecure-key-set-GONGKAI_SECRET_KEY"
QUERY_CODE_DIGITS = 12

_warned = False

# 12 digits, single separators allowed between them (what people put between the groups), not
# part of a longer run of digits (a phone number, 13 digits typed in groups)
_SEP = r"[ \t\-_.·]"
_CODE = re.compile(r"(?<!\d)(?<!\d%s)(\d(?:%s?\d){%d})(?!%s?\d)"  # noqa: UP031 (% keeps the regex's braces plain)
                   % (_SEP, _SEP, QUERY_CODE_DIGITS - 1, _SEP))
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\ufe58\ufe63\u3000"


def secret_key(configured: Optional[str] = None) -> bytes:
    """The HMAC key `configured` (default: GONGKAI_SECRET_KEY, ``settings.cases.secret_key``), or
    the development key when there is none (with a warning, once per process)."""
    global _warned
    key = (settings.cases.secret_key if configured is None else configured).strip()
    if key:
        return key.encode("utf-8", errors="surrogatepass")
    if not _warned:
        log.warning(
            "%s is not set: using the built-in development key. Set a long random secret in "
            "production, or query codes can be brute-forced from a copy of the database.",
            SECRET_KEY_ENV,
        )
        _warned = True
    return DEV_SECRET_KEY.encode("utf-8")


def digits(text: str) -> str:
    """The ASCII digits in ``text`` (full-width digits count)."""
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text))


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return text.translate({ord(c): "-" for c in _DASHES})


def find_query_code(text: Optional[str]) -> Optional[str]:
    """The query code written in ``text`` (a sentence may hold it), as 12 ASCII digits, or None."""
    if not text:
        return None
    match = _CODE.search(_fold(text))
    return digits(match.group(1)) if match else None


def normalize_query_code(text: Optional[str]) -> Optional[str]:
    """The 12 digits if the whole of ``text`` is one query code (import files, the case API)."""
    folded = _fold(text or "").strip()
    match = _CODE.fullmatch(folded)
    return digits(match.group(1)) if match else None


def format_query_code(code: str) -> str:
    """``381502746692`` → ``3815 0274 6692`` (as printed on the receipt)."""
    return " ".join(code[i:i + 4] for i in range(0, len(code), 4))


def new_query_code() -> str:
    """A fresh random code (12 digits from the OS's cryptographic generator)."""
    return "".join(secrets.choice("0123456789") for _ in range(QUERY_CODE_DIGITS))


def code_digest(code: str, key: bytes) -> str:
    """The stored digest of a normalized (12-digit) code."""
    return hmac.new(key, f"query-code:{code}".encode("ascii"), hashlib.sha256).hexdigest()


# Compared against when the case does not exist or has no code, so that path costs the same.
_DUMMY_DIGEST = "0" * 64


def code_matches(typed: Optional[str], stored_digest: Optional[str], key: bytes) -> bool:
    """Whether ``typed`` holds the code of ``stored_digest`` (None: no such case, or no code).

    Always computes one HMAC and one constant-time comparison, whatever the input."""
    code = find_query_code(typed)
    candidate = code_digest(code if code is not None else "-" * QUERY_CODE_DIGITS, key)
    same = hmac.compare_digest(candidate, stored_digest or _DUMMY_DIGEST)
    return same and code is not None and stored_digest is not None


def phone_digits(phone: str) -> str:
    """A phone number as the digits compared by the desk's search: no separators, no +86/0086."""
    cleaned = digits(phone or "")
    for prefix in ("0086", "86"):
        if (phone or "").strip().lstrip("+").startswith(prefix) and len(cleaned) > 11:
            return cleaned[len(prefix):]
    return cleaned


def phone_digest(phone: str, key: bytes) -> str:
    """The stored digest of an applicant's full phone number (``cases.phone_hmac``), for the
    desk's search by phone: a copy of the table gives neither the number nor, without the key, a
    way to test guesses against it."""
    return hmac.new(key, f"phone:{phone_digits(phone)}".encode("ascii"), hashlib.sha256).hexdigest()


def keyed_hash(kind: str, value: str, key: bytes) -> str:
    """A short keyed hash of an identifier we count failures by but must not store (a client's
    address, a socket id, a WeChat openid): the same input gives the same hash."""
    message = f"{kind}:{value}".encode("utf-8", errors="surrogatepass")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def main(argv: Optional[list] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    count = int(args[0]) if args and args[0].isdigit() else 1
    for _ in range(min(count, 100_000)):
        print(format_query_code(new_query_code()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
