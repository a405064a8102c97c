"""The domain engines must import without Rasa, Sanic, TensorFlow, a database driver or the
knowledge base (checked in a fresh interpreter)."""

import subprocess
import sys

ENGINES = ["bot.rules.workdays", "bot.rules.deadlines", "bot.rules.fees", "bot.rules.privacy", "bot.rules.textparse"]
FORBIDDEN = ["rasa", "rasa_sdk", "sanic", "sqlalchemy", "tensorflow", "psycopg2", "redis", "spacy"]


def test_engines_import_without_frameworks():
    code = (
        "import sys\n"
        f"for name in {ENGINES!r}: __import__(name)\n"
        f"loaded = sorted(m for m in {FORBIDDEN!r} if m in sys.modules)\n"
        "print(','.join(loaded))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_timeline_imports_nothing_that_reads_files_or_needs_rasa():
    code = ("import sys, bot.rules.timeline; bad = [m for m in sys.modules if m.split('.')[0] in "
            "('rasa', 'rasa_sdk', 'sqlalchemy', 'sanic') or m in ('bot.content.knowledge', 'bot.cases.vocab')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
