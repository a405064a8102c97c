"""The answer-or-ask decision of actions/faq.py on the dev set bench/dev/questions.yml, as three
outcomes: answered right, asked (「您是不是想问」, and whether the right FAQ was among the options),
answered wrong. Compares today's rule (ResponseSelector confidence and margin only) with the
decision in actions/faq.py (plus the lexical signal over the FAQ examples).

    .venv/bin/python bench/decision.py --rasa http://127.0.0.1:5005

needs a Rasa server with the HTTP API (`--enable-api`) running the model to measure. The dev set
was used to choose the thresholds, so its figures are optimistic (see the file's header).
"""
from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions import faq  # noqa: E402
from bot.core.settings import settings  # noqa: E402


def parse(rasa: str, text: str) -> dict:
    request = urllib.request.Request(f"{rasa}/model/parse", json.dumps({"text": text}).encode(),
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def ranking_of(parsed: dict) -> list:
    selector = (parsed.get("response_selector") or {}).get("faq") or {}
    return [{"faq_id": c["intent_response_key"].split("/", 1)[1], "confidence": c["confidence"]}
            for c in selector.get("ranking") or [] if "/" in c.get("intent_response_key", "")]


def old_rule(ranking: list) -> tuple:
    if not ranking:
        return "ask", []
    top = ranking[0]["confidence"]
    second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
    if top < settings.answers.faq_confidence or top - second < settings.answers.faq_margin:
        return "ask", [c["faq_id"] for c in ranking[:3]]
    return "answer", ranking[0]["faq_id"]


def outcome(decision: tuple, expected: str) -> str:
    kind, value = decision
    if kind == "answer":
        return "right" if value == expected else "wrong"
    return "asked_with_right" if expected in value else "asked_without_right"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rasa", default="http://127.0.0.1:5005")
    parser.add_argument("--set", default=str(ROOT / "bench" / "dev" / "questions.yml"))
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    questions = yaml.safe_load(Path(args.set).read_text(encoding="utf-8"))["questions"]
    tallies = {"before": {}, "after": {}}
    for question in questions:
        parsed = parse(args.rasa, question["text"])
        intent = (parsed.get("intent") or {}).get("name")
        ranking = ranking_of(parsed)
        if intent != "faq":  # routed elsewhere by the intent classifier: the same before and after
            result = {"before": "wrong", "after": "wrong"}
        else:
            result = {"before": outcome(old_rule(ranking), question["faq"]),
                      "after": outcome(faq.decide(ranking, question["text"]), question["faq"])}
        for side, value in result.items():
            tallies[side][value] = tallies[side].get(value, 0) + 1
        if args.verbose and result["after"] != "right":
            best = faq.lexical_best(question["text"])
            print(f"{question['text']} → {intent} {[(c['faq_id'], round(c['confidence'], 2)) for c in ranking[:3]]}"
                  f" lexical {best} expected {question['faq']}: {result}")
    total = len(questions)
    for side in ("before", "after"):
        t = tallies[side]
        asked = t.get("asked_with_right", 0) + t.get("asked_without_right", 0)
        print(f"{side:6}: answered right {t.get('right', 0)}/{total} ({t.get('right', 0) / total:.1%}), "
              f"asked {asked} (right option offered {t.get('asked_with_right', 0)}), "
              f"answered wrong {t.get('wrong', 0)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
