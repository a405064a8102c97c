"""Today's date where the agencies are (China Standard Time), whatever the server's zone.
GONGKAI_TODAY=YYYY-MM-DD pins it (demos, tests of date-dependent answers)."""
from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    return dt.datetime.now(CHINA)


def today() -> dt.date:
    pinned = os.environ.get("GONGKAI_TODAY")
    return dt.date.fromisoformat(pinned) if pinned else now().date()
