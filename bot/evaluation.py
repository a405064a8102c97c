"""NLU quality on the held-out set (tests/heldout/questions.yml): top-1 and top-3 accuracy.

A prediction is the list of labels the assistant would offer, best first: the intent ranking
with the `faq` retrieval intent expanded, at its place, into the ResponseSelector's ranking
(faq/<id> …). Top-1 is the answer it gives; top-3 is what 「您是不是想问」 would show. A message
caught by the FallbackClassifier counts as wrong at top-1 (the citizen got no answer).

The set was written independently of the training data, but short questions collide by nature
(你好, 收费吗). A held-out question that equals a training example or nearly so (similarity
≥ NEAR_DUPLICATE after folding) is left out of the scores, and the report says how many.

  gongkai evaluate [--model PATH] [--out docs/nlu-evaluation.md]
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import yaml

from bot.settings import PROJECT_ROOT

HELDOUT = PROJECT_ROOT / "tests" / "heldout" / "questions.yml"
FALLBACK = "nlu_fallback"
NEAR_DUPLICATE = 85  # rapidfuzz ratio (0-100) on folded text
_REPORT_START = "| questions scored |"  # first line of Report.markdown()


def load_questions(path: Path = HELDOUT) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]


def independent_questions(questions: Iterable[dict]) -> tuple[list[dict], list[dict]]:
    """(kept, left out): questions without / with a (near) copy among the training examples."""
    from rapidfuzz import fuzz, process

    from bot.knowledge import fold
    from bot.training_examples import training_examples

    examples = list({fold(text) for _, text in training_examples()})
    kept, left_out = [], []
    for question in questions:
        match = process.extractOne(fold(question["text"]), examples, scorer=fuzz.ratio,
                                   score_cutoff=NEAR_DUPLICATE)
        (left_out if match else kept).append(question)
    return kept, left_out


def ranked_labels(parse: Mapping[str, Any]) -> list[str]:
    """Labels in the order the assistant would offer them (see module docstring)."""
    intents = [i["name"] for i in parse.get("intent_ranking") or []]
    top = (parse.get("intent") or {}).get("name")
    if top and top not in intents:
        intents.insert(0, top)
    selector = ((parse.get("response_selector") or {}).get("faq") or {}).get("ranking") or []
    faq_labels = [c["intent_response_key"] for c in selector if c.get("intent_response_key")]
    labels: list[str] = []
    for name in intents:
        if name == "faq":
            labels += [label for label in faq_labels if label not in labels]
        elif name not in labels:
            labels.append(name)
    return labels


@dataclass
class Report:
    total: int = 0
    left_out: int = 0  # near copies of training examples, not scored
    top1: int = 0
    top3: int = 0
    per_label: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # text, expected, got

    def add(self, text: str, expected: str, labels: list[str]) -> None:
        self.total += 1
        got = labels[0] if labels else "(nothing)"
        hit1, hit3 = got == expected, expected in [l for l in labels if l != FALLBACK][:3]
        self.top1 += hit1
        self.top3 += hit3
        counts = self.per_label[expected]
        counts["n"] += 1
        counts["top1"] += hit1
        counts["top3"] += hit3
        if not hit1:
            self.errors.append((text, expected, got))

    @property
    def top1_accuracy(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def top3_accuracy(self) -> float:
        return self.top3 / self.total if self.total else 0.0

    def markdown(self) -> str:
        lines = ["| questions scored | left out (near copies of training data) | top-1 | top-3 |",
                 "| --- | --- | --- | --- |",
                 f"| {self.total} | {self.left_out} | {self.top1_accuracy:.1%} | {self.top3_accuracy:.1%} |", "",
                 "| label | n | top-1 | top-3 |", "| --- | --- | --- | --- |"]
        for label, c in sorted(self.per_label.items()):
            lines.append(f"| {label} | {c['n']} | {c['top1']} | {c['top3']} |")
        if self.errors:
            lines += ["", "Top-1 errors:", "", "| question | expected | got |", "| --- | --- | --- |"]
            lines += [f"| {t} | {e} | {g} |" for t, e, g in self.errors]
        return "\n".join(lines) + "\n"


def write_report(path: Path, report: Report) -> None:
    """Writes the report to `path`, keeping any text written above the figures (a note on how
    the numbers should be read survives `gongkai evaluate --out` regenerating the rest)."""
    preamble = ""
    if path.exists():
        old = path.read_text(encoding="utf-8")
        start = old.find(_REPORT_START)
        preamble = old[:start] if start > 0 else ""
    path.write_text(preamble + report.markdown(), encoding="utf-8")


def evaluate(parse: Callable[[str], Mapping[str, Any]], questions: Iterable[dict]) -> Report:
    kept, left_out = independent_questions(questions)
    report = Report(left_out=len(left_out))
    for question in kept:
        report.add(question["text"], question["label"], ranked_labels(parse(question["text"])))
    return report


def parse_with_agent(model: Path) -> Callable[[str], Mapping[str, Any]]:
    """Parses in-process with a loaded model (no server needed)."""
    import asyncio

    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()
    return lambda text: loop.run_until_complete(agent.parse_message(text))
