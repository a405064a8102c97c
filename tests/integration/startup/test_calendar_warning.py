"""The action server imports actions.calculators at start-up: from November on, it warns when the
next year's official holiday schedule is missing (chinesecalendar 1.11.0 lacks 2027)."""
import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize("today, warned", [("2026-10-31", False), ("2026-11-01", True)])
def test_action_server_start_up_warns_from_november_when_next_year_is_missing(today, warned):
    done = subprocess.run([sys.executable, "-c", "import actions.calculators"], capture_output=True, text=True,
                          env={**os.environ, "GONGKAI_TODAY": today}, timeout=120)
    assert done.returncode == 0, done.stderr
    assert ("2027年的法定节假日安排尚未录入" in done.stderr) is warned
