"""Now and today where the agencies are (China Standard Time), whatever the server's zone.

GONGKAI_NOW / GONGKAI_TODAY pin the moment or the date (demos, tests of office hours; see
bot.core.settings.ClockSettings). They are read once when the process starts; a test in this
process pins the clock with ``monkeypatch.setattr(clock, "pinned", ClockSettings(now=…))``."""
from __future__ import annotations

import datetime as dt

from bot.core.settings import CHINA, ClockSettings, settings

__all__ = ["CHINA", "now", "today"]

pinned: ClockSettings = settings.clock


def now() -> dt.datetime:
    return pinned.now if pinned.now is not None else dt.datetime.now(CHINA)


def today() -> dt.date:
    return pinned.today if pinned.today is not None else now().date()
