"""Importing a rule or an action does no I/O: no knowledge-base file is read and no port is bound
until something is asked of them (issue 13, item 2). Checked in a fresh interpreter with an audit
hook that records every file opened and every socket bound while the modules are imported."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bot.tooling.servers import free_port

ROOT = Path(__file__).resolve().parents[3]
MODULES = ["bot.rules.deadlines", "bot.cases.vocab", "bot.cases.records", "bot.cases.validation",
           "bot.content.knowledge", "actions"]

PROBE = """
import importlib, json, pkgutil, sys
opened, bound = [], []

def audit(event, args):
    if event == "open" and isinstance(args[0], (str, bytes)):
        opened.append(str(args[0]))
    elif event == "socket.bind":
        bound.append(repr(args[1]))

sys.addaudithook(audit)
for name in sys.argv[2:]:
    module = importlib.import_module(name)
    if name == "actions":  # every action module, as rasa_sdk imports them
        for info in pkgutil.walk_packages(module.__path__, "actions."):
            importlib.import_module(info.name)
kb_dirs = json.loads(sys.argv[1])
print(json.dumps({"kb_files": [p for p in opened if any(d in p for d in kb_dirs)],
                  "bound": bound}))
"""


def test_importing_rules_and_actions_reads_no_knowledge_base_and_binds_no_port(tmp_path):
    missing_kb = tmp_path / "no-kb-here"  # a knowledge base loaded at import would fail on it
    metrics_port = free_port()
    env = {"PATH": "/usr/bin:/bin", "GONGKAI_KB_DIR": str(missing_kb),
           # the variable that made importing `actions` start the metrics exporter
           "GONGKAI_ACTIONS_METRICS_PORT": str(metrics_port),
           "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "RASA_TELEMETRY_ENABLED": "false"}
    kb_dirs = [str(ROOT / "data" / "kb"), str(missing_kb)]
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(kb_dirs), *MODULES],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {"kb_files": [], "bound": []}


def test_the_knowledge_base_is_loaded_on_first_use(tmp_path):
    """The lazy side of the same change: the agency names still come from the knowledge base."""
    code = ("from bot.cases.vocab import AGENCIES\n"
            "print(AGENCIES['zibo_spj'])\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env={"PATH": "/usr/bin:/bin"})
    # data/kb/agencies.yml: zibo_spj's name
    assert result.stdout.strip() == "淄博市行政审批服务局", result.stderr[-2000:]
