"""logging.yml masks every record of a process, whatever handler writes it afterwards (Rasa
replaces the console handler with coloredlogs after applying the file) — run in a subprocess so
this test's own logging stays as it is."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = r"""
import logging, logging.config, sys, yaml, coloredlogs
logging.config.dictConfig(yaml.safe_load(open(sys.argv[1], encoding="utf-8")))
coloredlogs.install(level="DEBUG", stream=sys.stderr)   # what Rasa does next
log = logging.getLogger("rasa.core.processor")
log.debug("Received user message '%s'", "身份证11010519491231002X 手机13800138000")
log.info(sys.argv[2])                                    # a structlog JSON line
try:
    raise ValueError("bad phone 138-0013-8000 zhangsan.test@example.com")
except ValueError:
    log.exception("failed")
"""


def test_logging_config_masks_records_whatever_the_handler():
    line = json.dumps({"event": "processor.message", "text": "打１３８００１３８０００"})
    run = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT / "logging.yml"), line],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    out = run.stderr
    assert "**************002X" in out and "138****8000" in out and "z***@example.com" in out
    for secret in ("19491231", "00138000", "0013-8000", "１３８", "\\uff11", "zhangsan.test"):
        assert secret not in out, (secret, out)
    assert "Traceback" in out and "ValueError" in out  # the exception is still logged
