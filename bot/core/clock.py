"""Now and today where the agencies are (China Standard Time), whatever the server's zone.

GONGKAI_NOW=ISO date-time pins the current moment (demos, tests of office hours); a value without
an offset is read as Beijing time. GONGKAI_TODAY=YYYY-MM-DD pins the date alone (date-dependent
answers); when both are set, GONGKAI_TODAY wins for ``today()``."""
from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    pinned = os.environ.get("GONGKAI_NOW", "").strip()
    if pinned:
        moment = dt.datetime.fromisoformat(pinned)
        return moment.replace(tzinfo=CHINA) if moment.tzinfo is None else moment.astimezone(CHINA)
    return dt.datetime.now(CHINA)


def today() -> dt.date:
    pinned = os.environ.get("GONGKAI_TODAY")
    return dt.date.fromisoformat(pinned) if pinned else now().date()
