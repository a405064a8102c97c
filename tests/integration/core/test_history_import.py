"""bot.core.history is read by the web process too: importing it must stay light (a fresh
interpreter, so that what the test session already imported does not hide an import)."""
from __future__ import annotations

import subprocess
import sys


def test_importing_it_brings_in_neither_rasa_nor_rasa_sdk():
    code = ("import sys, bot.core.history; bad = [m for m in sys.modules if m.split('.')[0] in "
            "('rasa', 'rasa_sdk', 'sanic', 'sqlalchemy')]; print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
