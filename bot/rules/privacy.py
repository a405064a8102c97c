"""Masking personal data in text and logs: ID-card numbers, mobile numbers, bank-card numbers,
e-mail addresses.

What is masked, and what deliberately is not:

* Mainland ID-card numbers: 18 characters (17 digits + a digit or X) or the old 15 digits, also
  written in 6-8-4 groups with spaces or dashes. Shown as stars plus the last 4 characters.
  No checksum or birth-date test: a mistyped ID is still personal data, so any standalone run of
  exactly 15 or 18 digits is treated as one (an 18-digit order number gets masked too — the safe
  mistake).
* Mobile numbers: 11 digits starting 13–19, optionally with +86 / 0086 / 86 and spaces or dashes
  in 3-4-4 groups. Shown as 138****5678.
* Bank-card numbers (PIPL: financial accounts are sensitive personal information): a standalone
  run of 16–19 digits, or 4-digit groups separated by spaces or dashes (6222 0212 3456 7890 128),
  that passes the Luhn check every bank card carries. Shown as stars plus the last 4 digits.
  The Luhn check is what keeps other long numbers readable: a random 16–19-digit number passes
  it one time in ten, so nine in ten order numbers, WeChat MsgIds or nanosecond timestamps stay as
  they are (the tenth is masked — the safe mistake). Case numbers (ZBSP-2026-0101), dates and
  times never have 16 digits in a row or in 4-digit groups, so they are never touched; nor are
  digits that touch letters (hex ids, tokens). 15- and 18-digit runs are masked as ID numbers
  first, whatever they are.
* E-mail addresses: every one, except those in an allow-list the caller passes (the agencies'
  published addresses, for instance). The list in this module is empty on purpose.
* NOT masked: landlines such as agency phones (0533-2306909, 2512345) — they are not personal
  data and the assistant must be able to show them. Nor are digits inside a longer digit run
  (a 20-digit order or case number): a number is masked only when the whole run of digits is an
  ID, a bank card or a mobile number. Masking the middle of a longer run would make an order
  number look like an ID or phone and would still leave the rest readable.

Python warnings (``warnings.warn``; Rasa's quote the message that caused them) are logged through
the same masking: ``install_log_masking`` routes them into logging (``logging.captureWarnings``).

Matching is done on an NFKC-normalised copy (full-width digits, ＠, ＋, －), but the result keeps the
original text everywhere except in the masked spans.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import FrozenSet, Iterable, List, Optional, Tuple

__all__ = [
    "DEFAULT_ALLOWED_EMAILS",
    "mask_text",
    "mask_phone",
    "mask_id_number",
    "mask_email",
    "mask_bank_card",
    "luhn_valid",
    "phone_last4",
    "PIIMaskingFilter",
    "install_log_masking",
    "masking_filter",
]

DEFAULT_ALLOWED_EMAILS: FrozenSet[str] = frozenset()

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")

_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_ID18 = re.compile(r"(?<![0-9])(?:\d{17}|\d{6}[ -]\d{8}[ -]\d{3})(?:\d|[Xx](?![A-Za-z]))(?![0-9])")
_ID15 = re.compile(r"(?<![0-9])\d{15}(?![0-9])")
_CARD = re.compile(r"(?<![0-9A-Za-z])(?:\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?)(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])(?P<prefix>(?:\+|00)?86[ -]?)?(?P<number>1[3-9]\d(?:[ -]?\d{4}){2})(?![0-9])")


def _normalise(text: str) -> Tuple[str, List[int]]:
    """NFKC per character, with a map from each normalised position back to the original one."""
    chars: List[str] = []
    origin: List[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch).translate(_DASHES):
            chars.append(c)
            origin.append(i)
    return "".join(chars), origin


def _digits(value: str) -> str:
    return re.sub(r"[^0-9Xx]", "", unicodedata.normalize("NFKC", value)).upper()


def mask_id_number(number: str) -> str:
    """Any ID-like string → stars and its last 4 characters (110101199003071234 → **************1234)."""
    chars = _digits(number)
    if len(chars) <= 4:
        return "*" * len(chars)
    return "*" * (len(chars) - 4) + chars[-4:]


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check of bank-card numbers: from the right, every second digit doubled
    (minus 9 when above 9); the sum must end in 0."""
    if not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def mask_bank_card(number: str) -> str:
    """A card number → stars and its last 4 digits (6222021234567890128 → ***************0128)."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", number))
    return "*" * (len(digits) - 4) + digits[-4:] if len(digits) > 4 else "*" * len(digits)


def mask_phone(number: str) -> str:
    """A mobile number → 138****5678; the country code is dropped. Anything else that is given as
    a phone number keeps only its last 4 digits, since we cannot tell which part is private."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", number))
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    elif len(digits) == 15 and digits.startswith("0086"):
        digits = digits[4:]
    if re.fullmatch(r"1[3-9]\d{9}", digits):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_name(name: str) -> str:
    """``张三`` → ``张*``, ``示例申请人甲`` → ``示****甲``."""
    name = name.strip()
    if len(name) <= 2:
        return name[:1] + "*" * (len(name) - 1)
    return name[0] + "*" * (len(name) - 2) + name[-1]


def phone_last4(number: str) -> str:
    """The last 4 digits, for "尾号5678" confirmations; ValueError if there are fewer."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", number))
    if len(digits) < 4:
        raise ValueError("a phone number has at least 4 digits")
    return digits[-4:]


def mask_email(address: str) -> str:
    """Keeps the first character of the local part and the whole domain ("z***@" + domain): the
    domain says little about the person."""
    local, at, domain = unicodedata.normalize("NFKC", address).strip().rpartition("@")
    if not at or not local:
        return "***"
    return f"{local[0]}***@{domain}"


def mask_text(text: str, allow_emails: Iterable[str] = DEFAULT_ALLOWED_EMAILS) -> str:
    """``text`` with every ID number, bank-card number, mobile number and e-mail address (outside ``allow_emails``,
    compared case-insensitively) masked. Idempotent: masking masked text changes nothing."""
    if not isinstance(text, str):
        raise TypeError(f"mask_text expects a str, got {type(text).__name__}")
    allowed = {e.strip().lower() for e in allow_emails}
    norm, origin = _normalise(text)
    spans: List[Tuple[int, int, str]] = []

    def claim(start: int, end: int, replacement: str) -> None:
        if any(start < e and s < end for s, e, _ in spans):
            return  # an earlier (higher-priority) pattern already covers this text
        spans.append((start, end, replacement))

    for m in _EMAIL.finditer(norm):
        if m.group(0).lower() not in allowed:
            claim(m.start(), m.end(), mask_email(m.group(0)))
    for pattern in (_ID18, _ID15):
        for m in pattern.finditer(norm):
            claim(m.start(), m.end(), mask_id_number(m.group(0)))
    for m in _CARD.finditer(norm):
        if luhn_valid(re.sub(r"[ -]", "", m.group(0))):
            claim(m.start(), m.end(), mask_bank_card(m.group(0)))
    for m in _MOBILE.finditer(norm):
        claim(m.start(), m.end(), (m.group("prefix") or "") + mask_phone(m.group("number")))

    if not spans:
        return text
    out: List[str] = []
    pos = 0
    for start, end, replacement in sorted(spans):
        orig_start, orig_end = origin[start], origin[end - 1] + 1
        out.append(text[pos:orig_start])
        out.append(replacement)
        pos = orig_end
    out.append(text[pos:])
    return "".join(out)


_JSON_ESCAPE = re.compile(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})|\\u([0-9a-f]{4})", re.IGNORECASE)


def _unescape_non_ascii(text: str) -> str:
    """Rasa's structlog lines are JSON with non-ASCII characters escaped (``\\uff11``): turn
    those back into characters, so that full-width digits are masked too (and the log can be
    read). ASCII escapes (quotes, backslashes, control characters) stay, keeping the JSON valid."""
    if "\\u" not in text:
        return text

    def character(m: re.Match[str]) -> str:
        if m.group(1):
            high, low = int(m.group(1), 16), int(m.group(2), 16)
            return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        code = int(m.group(3), 16)
        return chr(code) if code >= 0x80 and not 0xD800 <= code <= 0xDFFF else m.group(0)

    return _JSON_ESCAPE.sub(character, text)


class PIIMaskingFilter(logging.Filter):
    """Masks a log record's message (after %-formatting), exception text and stack.

    On a handler (``handler.addFilter(...)``) it sees every record that reaches the handler,
    including those propagated from child loggers such as ``rasa`` or ``sanic.root``; on a logger
    (``logging.getLogger("rasa").addFilter(...)``) only records logged on that very logger.
    It never drops a record. The formatted, masked message replaces ``record.msg`` and
    ``record.args`` becomes empty.
    """

    def __init__(self, allow_emails: Iterable[str] = DEFAULT_ALLOWED_EMAILS) -> None:
        super().__init__()
        self.allow_emails: FrozenSet[str] = frozenset(e.strip().lower() for e in allow_emails)

    def _mask(self, value: str) -> str:
        return mask_text(_unescape_non_ascii(value), self.allow_emails)

    def filter(self, record: logging.LogRecord) -> bool:
        message: Optional[str]
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler, masked piecewise
            message = None
        if message is not None:
            record.msg = self._mask(message)
            record.args = ()
        else:
            if isinstance(record.msg, str):
                record.msg = self._mask(record.msg)
            if isinstance(record.args, tuple):
                record.args = tuple(self._mask(a) if isinstance(a, str) else a for a in record.args)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self._mask(record.stack_info)
        return True


_installed_filter: Optional[PIIMaskingFilter] = None


def install_log_masking(allow_emails: Iterable[str] = DEFAULT_ALLOWED_EMAILS) -> PIIMaskingFilter:
    """Masks every log record of this process when it is created, whatever handler later writes
    it. A filter on a handler is not enough in the Rasa processes: Rasa's coloredlogs set-up
    replaces the stderr handler after the logging configuration has been applied, and structlog's
    engine logs (user text at DEBUG) reach the root logger's handlers through the standard
    library. Idempotent; returns the filter in use."""
    global _installed_filter
    if _installed_filter is None:
        masking = PIIMaskingFilter(allow_emails)
        make_record = logging.getLogRecordFactory()

        def masked_record(*args, **kwargs) -> logging.LogRecord:
            record = make_record(*args, **kwargs)
            masking.filter(record)
            return record

        logging.setLogRecordFactory(masked_record)
        _installed_filter = masking
        _log_warnings()
    return _installed_filter


def _log_warnings() -> None:
    """Python warnings as log records (masked when created, above) instead of raw text on stderr:
    Rasa's warnings quote the message that caused them (``Failed to parse arguments in line
    '/greet{…}'``). They get a stderr handler of their own, not propagated, so that they are
    written once whether or not the process (Rasa, rasa_sdk, Sanic) configures the root logger
    later — in every process they end up where stderr goes (var/log/*.log under gongkai run)."""
    import sys

    logging.captureWarnings(True)
    warnings_log = logging.getLogger("py.warnings")
    if not any(getattr(h, "_gongkai_warnings", False) for h in warnings_log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s - %(message)s"))
        handler._gongkai_warnings = True  # type: ignore[attr-defined]  # ours: not added twice
        warnings_log.addHandler(handler)
        warnings_log.propagate = False


def masking_filter() -> PIIMaskingFilter:
    """Filter factory for a logging config file (``"()": bot.rules.privacy.masking_filter``): also
    installs the record-level masking above, so the file works for ``rasa run`` and
    ``rasa run actions`` (``--logging-config-file logging.yml``)."""
    return install_log_masking()
