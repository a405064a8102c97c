"""The callback number a citizen types: a mainland mobile number or a landline with its area
code, found in free text (「我的电话是138 1234 5678」), returned as digits only."""
from __future__ import annotations

import re
import unicodedata
from typing import Optional

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
# a run of digits, spaces and dashes, optionally after a country code
_CANDIDATE = re.compile(r"(?<![0-9])(?:\+|00)?[0-9][0-9 \-]{5,20}[0-9](?![0-9])")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}\d{7,8}")


def normalize_phone(text: str) -> Optional[str]:
    """The one phone number in ``text`` as digits (mobile 11 digits, landline with area code),
    or None when there is none, more than one, or the number is incomplete."""
    norm = unicodedata.normalize("NFKC", text or "").translate(_DASHES)
    found = []
    for match in _CANDIDATE.finditer(norm):
        digits = re.sub(r"\D", "", match.group(0))
        if match.group(0).startswith(("+86", "0086")) or (digits.startswith("86") and len(digits) == 13):
            digits = digits[digits.index("86") + 2:]
        if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits):
            found.append(digits)
        else:
            return None  # a number-like run that is no phone: do not guess which part is meant
    return found[0] if len(set(found)) == 1 else None
