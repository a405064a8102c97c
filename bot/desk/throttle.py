"""Login throttling, as a pure rule: after ``MAX_FAILURES`` failed logins for one username within
``WINDOW`` (or ``IP_MAX_FAILURES`` from one client address: a hotline room's agents often share
one address, and one mistyping colleague must not lock them all out), further attempts are refused
until the oldest of those failures is ``WINDOW`` old. A success does not wipe the count (or one agent who knows their
own password could keep guessing others' between their own logins from the same address)."""
from __future__ import annotations

import datetime as dt
from typing import Optional, Sequence

MAX_FAILURES = 5
IP_MAX_FAILURES = 20
WINDOW = dt.timedelta(minutes=15)


def locked_until(failures: Sequence[dt.datetime], now: dt.datetime,
                 max_failures: int = MAX_FAILURES, window: dt.timedelta = WINDOW) -> Optional[dt.datetime]:
    """When the lock ends, or None when another attempt is allowed at ``now``."""
    recent = sorted(t for t in failures if now - window < t <= now)
    if len(recent) < max_failures:
        return None
    # the lock ends when only max_failures - 1 failures remain inside the window
    return recent[len(recent) - max_failures] + window
