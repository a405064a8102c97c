"""The domain engines must import without Rasa, Sanic, TensorFlow or a database driver."""

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
