"""The answer-or-ask decision of actions/faq.py on the dev set bench/dev/questions.yml, as three
outcomes: answered right, asked (「您是不是想问」, and whether the right FAQ was among the options),
answered wrong. Compares the rule of the retrieval alone (ResponseSelector confidence and margin)
with the decision the actions take (actions/faq.py `decide`; for a message the NLU did not
understand, the fallback action's agreement rule and its options).

    .venv/bin/python bench/decision.py [--model-file models/gongkai-….tar.gz] [--verbose] [--independent]
    .venv/bin/python bench/decision.py --rasa http://127.0.0.1:5005   # a running server (--enable-api)

starts a Rasa server with the model to measure (default: the current one) unless given one. The
parses are kept in results/decision-parses.json per model, so a second run with the same model (after a
change of actions/faq.py) needs no server: `--cached`. `--independent` leaves out, as
`gongkai evaluate` does for the held-out sets, the questions with a near copy among the training
examples. The dev set was used to choose the thresholds, so its figures are optimistic (see the
file's header); a question the intent classifier routes elsewhere than the FAQ (or the fallback)
counts as answered wrong.
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

CACHE = ROOT / "results" / "decision-parses.json"
FALLBACK_INTENT = "nlu_fallback"
# actions/conversation.py: the fallback action's options come from candidates above this
FALLBACK_MIN_CONFIDENCE = 0.1


def parse(rasa: str, text: str) -> dict:
    request = urllib.request.Request(f"{rasa}/model/parse", json.dumps({"text": text}).encode(),
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def model_name(rasa: str) -> str:
    try:
        with urllib.request.urlopen(f"{rasa}/status", timeout=60) as response:
            return Path(json.load(response).get("model_file") or "unknown").name
    except OSError:
        return "unknown"


def ranking_of(parsed: dict) -> list:
    selector = (parsed.get("response_selector") or {}).get("faq") or {}
    return [{"faq_id": c["intent_response_key"].split("/", 1)[1], "confidence": c["confidence"]}
            for c in selector.get("ranking") or [] if "/" in c.get("intent_response_key", "")]


def old_rule(ranking: list, text: str) -> tuple:
    if not ranking:
        return "ask", []
    top = ranking[0]["confidence"]
    second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
    if top < settings.answers.faq_confidence or top - second < settings.answers.faq_margin:
        return "ask", [c["faq_id"] for c in ranking[:3]]
    return "answer", ranking[0]["faq_id"]


def fallback_rule(ranking: list, text: str) -> tuple:
    """actions/conversation.py ActionHandleFallback: answer when retrieval and wording agree,
    else offer the options (none when no candidate reaches FALLBACK_MIN_CONFIDENCE)."""
    ranking = [c for c in ranking if c["confidence"] >= FALLBACK_MIN_CONFIDENCE]
    agreed = faq.agreed(ranking, text)
    if agreed:
        return "answer", agreed
    return "ask", faq.ask_options(ranking, text) if ranking else []


def outcome(decision: tuple, expected: set) -> str:
    kind, value = decision
    if kind == "answer":
        return "right" if value in expected else "wrong"
    return "asked_with_right" if expected & set(value) else "asked_without_right"


def expected_of(question: dict) -> set:
    """The FAQs that answer the question right (a calculator question: the FAQs of its rule, which
    compute the citizen's figure; another intent's question: none)."""
    if "label" in question:
        return CALCULATOR_FAQS.get(question["label"], set())
    value = question["faq"]
    return set(value) if isinstance(value, list) else {value}


CALCULATOR_FAQS = {"ask_due_date": faq.DEADLINE_FAQS, "ask_fee_calc": faq.FEE_FAQS}


def parses(args, questions: list) -> dict:
    """text → /model/parse answer, from the cache or the server (and cached)."""
    cache = json.loads(CACHE.read_text(encoding="utf-8")) if CACHE.exists() else {}
    if args.cached:
        if not cache:
            sys.exit(f"no cached parses in {CACHE}")
        model = args.model or max(cache, key=lambda m: cache[m].get("_written", ""))
        print(f"model {model} (cached parses)")
        return cache[model]
    missing = [q["text"] for q in questions]
    if args.rasa:
        model = model_name(args.rasa)
        kept = cache.setdefault(model, {})
        for text in missing:
            kept.setdefault(text, parse(args.rasa, text))
    else:
        from bot.tooling import evaluation, training

        model_file = Path(args.model_file) if args.model_file else training.ensure_model(quiet=True)
        model = model_file.name
        kept = cache.setdefault(model, {})
        missing = [text for text in missing if text not in kept]
        if missing:
            with evaluation.running_assistant(model_file) as rasa:
                for text in missing:
                    kept[text] = parse(rasa, text)
    import datetime

    kept["_written"] = datetime.datetime.now(datetime.timezone.utc).isoformat()
    CACHE.parent.mkdir(exist_ok=True)
    CACHE.write_text(json.dumps(cache, ensure_ascii=False), encoding="utf-8")
    print(f"model {model}")
    return kept


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rasa", help="a running Rasa server (default: start one)")
    parser.add_argument("--model-file", help="the model to start a server with (default: current)")
    parser.add_argument("--set", default=str(ROOT / "bench" / "dev" / "questions.yml"))
    parser.add_argument("--cached", action="store_true",
                        help=f"use the parses kept in {CACHE.relative_to(ROOT)} (no server)")
    parser.add_argument("--model", help="with --cached: which model's parses (default: latest)")
    parser.add_argument("--independent", action="store_true",
                        help="leave out questions with a near copy among the training examples")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    questions = yaml.safe_load(Path(args.set).read_text(encoding="utf-8"))["questions"]
    if args.independent:
        from bot.tooling.evaluation import independent_questions

        questions, left_out = independent_questions(questions)
        print(f"{len(left_out)} near copies of training examples left out")
    parsed_by_text = parses(args, questions)
    # each dev question is asked on its own: a conversation's first question
    rules = {"before": old_rule,
             "after": lambda ranking, text: faq.decide(ranking, text, first_question=True)}
    tallies: dict = {side: {} for side in rules}
    for question in questions:
        parsed = parsed_by_text[question["text"]]
        intent = (parsed.get("intent") or {}).get("name")
        ranking = ranking_of(parsed)
        expected = expected_of(question)
        if "label" in question and intent == question["label"]:
            result = dict.fromkeys(rules, "right")
        elif intent == "faq":
            result = {side: outcome(rule(ranking, question["text"]), expected)
                      for side, rule in rules.items()}
        elif intent == FALLBACK_INTENT:  # the same fallback action before and after
            result = dict.fromkeys(rules, outcome(fallback_rule(ranking, question["text"]), expected))
        else:  # routed elsewhere by the intent classifier: the same before and after
            result = dict.fromkeys(rules, "wrong")
        for side, value in result.items():
            tallies[side][value] = tallies[side].get(value, 0) + 1
        if args.verbose and result["after"] != "right":
            best = faq.lexical_best(question["text"])
            print(f"{question['text']} → {intent} "
                  f"{[(c['faq_id'], round(c['confidence'], 2)) for c in ranking[:3]]}"
                  f" lexical {best[0]} {best[1]:.0f} expected "
                  f"{question.get('label') or '/'.join(sorted(expected))}: "
                  f"{result['after']}")
    total = len(questions)
    for side in rules:
        t = tallies[side]
        asked = t.get("asked_with_right", 0) + t.get("asked_without_right", 0)
        print(f"{side:6}: answered right {t.get('right', 0)}/{total} ({t.get('right', 0) / total:.1%}), "
              f"asked {asked} (right option offered {t.get('asked_with_right', 0)}), "
              f"answered wrong {t.get('wrong', 0)} ({t.get('wrong', 0) / total:.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
