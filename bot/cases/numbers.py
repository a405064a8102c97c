"""Case numbers: one canonical form, and lenient reading of what people type.

Canonical: 2–5 capital letters, the year, a 4-digit serial, joined by ASCII hyphens —
``ZBSP-2026-0001``. People write ``zbsp 2026 0001``, full-width ``ＺＢＳＰ－２０２６－０００１``,
em dashes, underscores, or nothing between the parts; all of these read as the same number.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Optional

CANONICAL = re.compile(r"^[A-Z]{2,5}-\d{4}-\d{4}$")

# Dashes people and input methods produce; NFKC already turns full-width － and ＿ into ASCII.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\ufe58\ufe63"
_SEP = r"[\s\-_/.·]*"
_WHOLE = re.compile(rf"^\s*([A-Z]{{2,5}}){_SEP}(\d{{4}}){_SEP}(\d{{4}})\s*$")
# Inside a sentence: the letters must not continue a longer word, the serial not a longer number.
_INSIDE = re.compile(rf"(?<![A-Z0-9])([A-Z]{{2,5}}){_SEP}(\d{{4}}){_SEP}(\d{{4}})(?![0-9])")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = text.translate({ord(c): "-" for c in _DASHES})
    return text.upper()


def is_canonical(text: str) -> bool:
    return bool(CANONICAL.match(text))


def normalize_case_number(text: Optional[str]) -> Optional[str]:
    """The canonical form of ``text`` if the whole text is one case number, else None."""
    if not text:
        return None
    match = _WHOLE.match(_fold(text))
    return "-".join(match.groups()) if match else None


def find_case_number(text: Optional[str]) -> Optional[str]:
    """The first case number written anywhere in ``text``, canonical, or None."""
    if not text:
        return None
    match = _INSIDE.search(_fold(text))
    return "-".join(match.groups()) if match else None
