"""Python warnings go through the masked logging path (issue 12, Medium #6): Rasa's
``raise_warning`` quotes the message that caused it, e.g. ``Failed to parse arguments in line
'/greet{"x":"身份证… 手机…"}'``, and used to write it to stderr — rasa.log — unmasked. Run in a
subprocess configured as the servers are (logging.yml, then Rasa's own coloredlogs set-up)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = r"""
import logging, logging.config, sys, warnings, yaml, coloredlogs
logging.config.dictConfig(yaml.safe_load(open(sys.argv[1], encoding="utf-8")))
coloredlogs.install(level="INFO", stream=sys.stderr)   # what Rasa does next
import rasa.shared.utils.io
rasa.shared.utils.io.raise_warning(
    "Failed to parse arguments in line '/greet{\"x\":\"身份证11010519491231002X 手机13800138000\"}'.")
warnings.warn("卡号 6212 3456 7890 1232, mail zhangsan.test@example.com", UserWarning)
print("done", file=sys.stderr)
"""


def test_warnings_are_logged_masked():
    run = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT / "logging.yml")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    out = run.stderr + run.stdout
    assert "done" in out
    # both warnings are still there, as log records, masked
    assert "Failed to parse arguments" in out and "py.warnings" in out
    assert "**************002X" in out and "138****8000" in out
    assert "************1232" in out and "z***@example.com" in out
    for secret in ("19491231", "0013", "6212 3456", "zhangsan.test"):
        assert secret not in out, (secret, out)
