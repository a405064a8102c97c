"""Before/after measurement on conv-kb's own dev questions (tests/system/kb/dev_questions.yml) through the
real Rasa and action servers: answered right / asked (「您是不是想问」) / answered wrong.

    .venv/bin/python -m tests.system.kb.measure_dev [--model models/gongkai-….tar.gz]

Run with PYTHONPATH pointing at another checkout (e.g. `git archive main`) to measure that code
with its model. Not a test (no assertions): the figures go into the report."""
from __future__ import annotations

import argparse
import tempfile
import uuid
from pathlib import Path

import yaml

from bot.tooling import servers, training
from tests.support import say, texts

DEV = Path(__file__).with_name("dev_questions.yml")


def outcome(reply: str, expect: list[str]) -> str:
    if all(e in reply for e in expect):
        return "right"
    return "asked" if "您是不是想问" in reply else "wrong"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    model = args.model or training.ensure_model(quiet=True)
    questions = yaml.safe_load(DEV.read_text(encoding="utf-8"))["questions"]
    work = Path(tempfile.mkdtemp(prefix="kb-dev-"))
    env = {**training.rasa_env(), "GONGKAI_TODAY": "2026-11-23",
           "GONGKAI_DATABASE_URL": f"sqlite:///{work / 'gongkai.db'}"}
    action_port, rasa_port = servers.free_port(), servers.free_port()
    endpoints = servers.write_endpoints(work / "endpoints.yml", action_port, work / "tracker.db")
    actions = servers.start_action_server(action_port, work / "actions.log", env=env)
    rasa = servers.start_rasa_server(rasa_port, model, endpoints, work / "rasa.log", env=env)
    counts = {"right": 0, "asked": 0, "wrong": 0}
    try:
        actions.wait_ready()
        rasa.wait_ready()
        for q in questions:
            reply = texts(say(f"http://127.0.0.1:{rasa_port}", f"dev-{uuid.uuid4().hex[:8]}", q["text"]))
            result = outcome(reply, q["expect"])
            counts[result] += 1
            if args.verbose or result != "right":
                print(f"[{result}] {q['text']}\n    {reply[:160]!r}")
    finally:
        rasa.stop()
        actions.stop()
    total = len(questions)
    print(f"model {model.name}: {total} questions — answered right {counts['right']} "
          f"({counts['right'] / total:.0%}), asked {counts['asked']}, wrong {counts['wrong']}")


if __name__ == "__main__":
    main()
