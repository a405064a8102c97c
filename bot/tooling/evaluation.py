"""How well the assistant answers, on sets written independently of the training data
(tests/heldout/README.md says how they were written and kept apart).

Two measures:

* NLU labels (`evaluate`): top-1 / top-3 on the single questions of questions.yml. A prediction
  is the list of labels the assistant would offer, best first: the intent ranking with the `faq`
  retrieval intent expanded, at its place, into the ResponseSelector's ranking (faq/<id> …). A
  message caught by the FallbackClassifier counts as wrong at top-1.
* The real reply (`evaluate_replies`): every set is sent over the REST channel to a running Rasa
  server and action server, and each scored bot turn gets one of three outcomes: answered right
  (a direct answer containing the facts its expectation lists), asked (「您是不是想问」 with
  options; each option is then tried in a replay of the conversation to record whether one of
  them gives the right answer) or answered wrong. Expectations name facts (phone numbers,
  deadlines, articles, the agency's name), never FAQ ids, so they survive renamed FAQs. A
  conversation is fully right when every scored turn is right.

The sets were written independently of the training data, but short questions collide by nature
(你好, 收费吗). A single question that equals a training example or nearly so (similarity
≥ NEAR_DUPLICATE after folding) is left out of the scores, and the report says how many.

  gongkai evaluate [--model PATH] [--out docs/nlu-evaluation.md] [--verbose]
"""
from __future__ import annotations

from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional

import yaml

from bot.core.settings import PROJECT_ROOT

HELDOUT = PROJECT_ROOT / "tests" / "heldout" / "questions.yml"
FALLBACK = "nlu_fallback"
NEAR_DUPLICATE = 85  # rapidfuzz ratio (0-100) on folded text
_REPORT_START = "| questions scored |"  # first line of Report.markdown()
_REPLIES_START = "| set | items |"  # first line of ReplyReport.markdown(), above it


def load_questions(path: Path = HELDOUT) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]


def independent_questions(questions: Iterable[dict]) -> tuple[list[dict], list[dict]]:
    """(kept, left out): questions without / with a (near) copy among the training examples."""
    from rapidfuzz import fuzz, process

    from bot.content.knowledge import fold
    from bot.tooling.training_examples import training_examples

    examples = list({fold(text) for _, text in training_examples()})
    kept: list[dict] = []
    left_out: list[dict] = []
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
        hit1, hit3 = got == expected, expected in [label for label in labels if label != FALLBACK][:3]
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


def write_report(path: Path, report: Report, replies: Optional[ReplyReport] = None) -> None:
    """Writes the figures to `path`, keeping any text written above them (a note on how the
    numbers should be read survives `gongkai evaluate --out` regenerating the rest)."""
    preamble = ""
    if path.exists():
        old = path.read_text(encoding="utf-8")
        starts = [i for i in (old.find(_REPLIES_START), old.find(_REPORT_START)) if i > 0]
        preamble = old[:min(starts)] if starts else ""
    body = report.markdown()
    if replies is not None:
        body = (replies.markdown() + "\nNLU labels (top-1 / top-3 of the intent and FAQ ranking):\n\n"
                + body)
    path.write_text(preamble + body, encoding="utf-8")


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


# --- the real reply: three outcomes ------------------------------------------------------------

HELDOUT_DIR = HELDOUT.parent
WRITTEN = HELDOUT_DIR / "written.yml"
CONVERSATIONS = HELDOUT_DIR / "conversations.yml"
LABEL_FACTS = HELDOUT_DIR / "label_facts.yml"
FLOORS = HELDOUT_DIR / "floors.yml"
DEMO_CASES = PROJECT_ROOT / "data" / "demo" / "cases.json"

RIGHT, ASKED, WRONG = "right", "asked", "wrong"
ASK_MARKER = "您是不是想问"
# the hand-off replies (data/kb/messages.yml): connecting in office hours, the callback offer
# outside them, or the notice that the desk is unavailable; which one depends on the hour
HANDOFF_MARKERS = ("为您转接", "不是人工服务时间", "人工转接暂时不可用")
# replies that never answer a question: out of scope (right only where that is expected) and
# the request to rephrase
NOT_AN_ANSWER = {"out_of_scope": "超出了我的服务范围", "rephrase": "没有完全理解"}
RIGHT_OPTION = "{right_option}"  # a user turn typing the number of the right option just offered
_DASHES = str.maketrans({"—": "-", "–": "-", "－": "-", "～": "-", "~": "-"})


def fold_reply(text: str) -> str:
    """Text as compared with expected facts: NFKC (full-width → ASCII), one kind of dash, no
    whitespace, lower case."""
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", text or "").translate(_DASHES).split()).lower()


@dataclass(frozen=True)
class Expect:
    """What a right bot turn contains. `must`: every item must appear (an item that is a list is
    satisfied by any one of its strings); `any_of`: at least one must appear; `must_not`: none may
    appear (wrong facts); `pattern`: regular expressions that must match; `agency`: the full name
    of the agency the answer must name; `kind`: answer, handoff (a hand-off reply), case_status,
    calculation, prompt (the assistant asks for a form field), out_of_scope."""
    must: tuple = ()
    any_of: tuple = ()
    must_not: tuple = ()
    pattern: tuple = ()
    agency: Optional[str] = None
    kind: str = "answer"

    @classmethod
    def parse(cls, data: Mapping[str, Any], agencies: Mapping[str, str]) -> Expect:
        unknown = set(data) - {"must", "any_of", "must_not", "pattern", "agency", "kind"}
        if unknown:
            raise ValueError(f"unknown expectation keys: {sorted(unknown)}")
        must = tuple(tuple(map(str, item)) if isinstance(item, list) else str(item)
                     for item in data.get("must") or ())
        agency = data.get("agency")
        return cls(must, tuple(map(str, data.get("any_of") or ())),
                   tuple(map(str, data.get("must_not") or ())),
                   tuple(data.get("pattern") or ()),
                   agencies.get(agency, agency) if agency else None, data.get("kind", "answer"))

    def problems(self, text: str) -> list[str]:
        """What the reply `text` lacks or wrongly contains; empty when it is right."""
        import re

        folded = fold_reply(text)
        found = []
        for item in self.must:
            alternatives = item if isinstance(item, tuple) else (item,)
            if not any(fold_reply(a) in folded for a in alternatives):
                found.append("缺少「" + "/".join(alternatives) + "」")
        if self.any_of and not any(fold_reply(a) in folded for a in self.any_of):
            found.append("缺少其一「" + "/".join(self.any_of) + "」")
        found += [f"不应出现「{bad}」" for bad in self.must_not if fold_reply(bad) in folded]
        found += [f"不符合 /{p}/" for p in self.pattern if not re.search(p, text or "")]
        if self.agency and fold_reply(self.agency) not in folded:
            found.append(f"没有点明机构「{self.agency}」")
        found += [f"答成了「{marker}」" for kind, marker in NOT_AN_ANSWER.items()
                  if kind != self.kind and marker in (text or "")]
        if self.kind == "handoff" and not any(m in (text or "") for m in HANDOFF_MARKERS):
            found.append("没有转人工")
        return found


class RestClient:
    """The assistant's REST channel; every conversation gets a fresh sender id. Safe to share
    between threads (conversations run a few at a time)."""

    def __init__(self, rasa_url: str, timeout: float = 60.0):
        import itertools
        import threading
        import uuid

        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.timeout = timeout
        self._prefix = f"eval-{uuid.uuid4().hex[:8]}"
        self._senders = itertools.count(1)
        self._lock = threading.Lock()
        self.turns = 0  # messages sent, replays included

    def new_sender(self) -> str:
        return f"{self._prefix}-{next(self._senders)}"

    def say(self, sender: str, message: str) -> list[dict]:
        import json
        import urllib.request

        body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
        request = urllib.request.Request(self.url, data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            replies = json.loads(response.read() or b"[]") or []
        with self._lock:
            self.turns += 1
        return replies


def reply_text(replies: Iterable[Mapping[str, Any]]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


@dataclass
class TurnResult:
    item: str  # where it is: question text, or conversation id and turn number
    user: str
    outcome: str
    reply: str
    problems: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)  # titles offered when it asked
    right_option: Optional[int] = None  # 1-based number of an offered option that answers right


def score_turn(client: RestClient, history: list[str], message: str, replies: list[dict],
               expect: Expect, item: str) -> TurnResult:
    """One bot turn's outcome. When it asked, each option is tried in a replay of the
    conversation (a fresh sender: the earlier messages, this one, then the option's payload)."""
    text = reply_text(replies)
    if ASK_MARKER not in text:
        problems = expect.problems(text)
        return TurnResult(item, message, WRONG if problems else RIGHT, text, problems)
    buttons = [b for r in replies for b in r.get("buttons") or [] if b.get("payload")]
    result = TurnResult(item, message, ASKED, text, options=[b.get("title", "") for b in buttons])
    for number, button in enumerate(buttons, 1):
        sender = client.new_sender()
        for earlier in [*history, message]:
            client.say(sender, earlier)
        answer = reply_text(client.say(sender, button["payload"]))
        if ASK_MARKER not in answer and not expect.problems(answer):
            result.right_option = number
            break
    if result.right_option is None:
        result.problems = ["所给选项都不对"]
    return result


@dataclass
class Outcomes:
    right: int = 0
    asked: int = 0
    wrong: int = 0
    asked_right_option: int = 0  # asked, and an option offered gives the right answer

    def add(self, outcome: str, right_option_offered: bool = False) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        self.asked_right_option += outcome == ASKED and right_option_offered

    @property
    def total(self) -> int:
        return self.right + self.asked + self.wrong

    def share(self, outcome: str) -> float:
        return getattr(self, outcome) / self.total if self.total else 0.0

    @property
    def right_option_share(self) -> float:
        """Of the times it asked, how often the right answer was among the options (1.0 if it
        never asked)."""
        return self.asked_right_option / self.asked if self.asked else 1.0

    def row(self, name: str, note: str = "") -> str:
        return (f"| {name} | {self.total}{note} | {self.share(RIGHT):.1%} | "
                f"{self.share(ASKED):.1%} "
                f"({self.asked_right_option}/{self.asked} with the right option) | "
                f"{self.share(WRONG):.1%} |")


@dataclass
class SetReport:
    name: str
    items: Outcomes = field(default_factory=Outcomes)  # questions, or whole conversations
    turns: Outcomes = field(default_factory=Outcomes)  # conversations only: every scored turn
    left_out: int = 0
    results: list[TurnResult] = field(default_factory=list)
    # conversations only: whole conversations per tag (ellipsis, case, remedies …)
    by_tag: dict[str, Outcomes] = field(default_factory=lambda: defaultdict(Outcomes))

    @property
    def failures(self) -> list[TurnResult]:
        return [r for r in self.results if r.outcome != RIGHT]


def _agency_names(data: Mapping[str, Any]) -> dict[str, str]:
    return dict(data.get("agencies") or {})


def run_conversation(client: RestClient, conversation: Mapping[str, Any],
                     agencies: Mapping[str, str]) -> list[TurnResult]:
    """Sends the conversation's user turns in order under one fresh sender; scores the turns
    that carry an expectation. A turn typing {right_option} types the number of the right
    option the assistant just offered; it is skipped when the assistant did not ask (nothing to
    choose) or offered no right option (already counted as a failure)."""
    sender = client.new_sender()
    history: list[str] = []
    results: list[TurnResult] = []
    previous: Optional[tuple[TurnResult, Expect]] = None
    for number, turn in enumerate(conversation["turns"], 1):
        message = str(turn["user"])
        expect = Expect.parse(turn["expect"], agencies) if turn.get("expect") else None
        if message == RIGHT_OPTION:
            if previous is None or previous[0].right_option is None:
                continue
            message, expect = str(previous[0].right_option), expect or previous[1]
        replies = client.say(sender, message)
        if expect is not None:
            result = score_turn(client, history, message, replies, expect,
                                f"{conversation['id']}#{number}")
            results.append(result)
            previous = (result, expect)
        history.append(message)
    return results


# Conversations and questions are independent (each its own sender): a few at a time keep both
# servers busy while one waits. Results come back in the set's order.
PARALLEL = 4


def _in_parallel(work: Callable[[Any], Any], items: Iterable[Any]) -> list:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(work, items))


def _conversation_outcome(results: list[TurnResult]) -> str:
    outcomes = {r.outcome for r in results}
    return WRONG if WRONG in outcomes else ASKED if ASKED in outcomes else RIGHT


def evaluate_conversations(client: RestClient, path: Path = CONVERSATIONS) -> SetReport:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    agencies = _agency_names(data)
    report = SetReport("conversations", turns=Outcomes())
    conversations = data["conversations"]
    runs = _in_parallel(lambda c: run_conversation(client, c, agencies), conversations)
    for conversation, results in zip(conversations, runs):
        for result in results:
            report.turns.add(result.outcome, result.right_option is not None)
        outcome = _conversation_outcome(results)
        offered = all(r.right_option is not None for r in results if r.outcome == ASKED)
        report.items.add(outcome, offered)
        for tag in conversation.get("tags") or ():
            report.by_tag[tag].add(outcome, offered)
        report.results += results
    return report


def _evaluate_single(client: RestClient, name: str, questions: list[dict],
                     expectation: Callable[[dict], Expect]) -> SetReport:
    kept, left_out = independent_questions(questions)
    report = SetReport(name, left_out=len(left_out))

    def ask(question: dict) -> TurnResult:
        replies = client.say(client.new_sender(), question["text"])
        return score_turn(client, [], question["text"], replies, expectation(question),
                          question["text"])

    for result in _in_parallel(ask, kept):
        report.items.add(result.outcome, result.right_option is not None)
        report.results.append(result)
    return report


def label_expectations(path: Path = LABEL_FACTS) -> Callable[[dict], Expect]:
    """questions.yml is labelled with catalogue labels; label_facts.yml says, per label (and per
    agency where the facts differ), what a right reply contains."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    agencies, default = _agency_names(data), data["default_agency"]

    def expectation(question: dict) -> Expect:
        facts = dict(data["labels"][question["label"]])
        agency = question.get("agency") or default
        by_agency = facts.pop("by_agency", {})
        names_agency = facts.pop("names_agency", False) or bool(by_agency)
        specific = by_agency.get(agency) or {}
        merged = {**facts, **specific,
                  "must": [*(facts.get("must") or []), *(specific.get("must") or [])]}
        if question.get("agency") and names_agency:
            merged["agency"] = agency
        return Expect.parse(merged, agencies)

    return expectation


def evaluate_written(client: RestClient, path: Path = WRITTEN) -> SetReport:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    agencies = _agency_names(data)
    return _evaluate_single(client, "written-style questions", data["questions"],
                            lambda q: Expect.parse(q["expect"], agencies))


@dataclass
class ReplyReport:
    single: SetReport
    written: SetReport
    conversations: SetReport
    turns_sent: int = 0

    def figures(self) -> dict[str, dict[str, float]]:
        """The figures the floors (tests/heldout/floors.yml) apply to."""
        figures = {}
        for key, report in (("single", self.single), ("written", self.written),
                            ("conversations", self.conversations)):
            figures[key] = {"right": report.items.share(RIGHT), "wrong": report.items.share(WRONG),
                            "right_option": report.items.right_option_share}
        turns = self.conversations.turns
        figures["conversation_turns"] = {"right": turns.share(RIGHT), "wrong": turns.share(WRONG),
                                         "right_option": turns.right_option_share}
        return figures

    def markdown(self) -> str:
        single, written, conv = self.single, self.written, self.conversations
        lines = [_REPLIES_START + " answered right | asked (「您是不是想问」) | answered wrong |",
                 "| --- | --- | --- | --- | --- |",
                 single.items.row("single questions (questions.yml)",
                                  f" ({single.left_out} near copies left out)"),
                 written.items.row("written-style questions (written.yml)",
                                   f" ({written.left_out} near copies left out)"),
                 conv.items.row("conversations, whole (conversations.yml)"),
                 conv.turns.row("conversation turns (scored)")]
        return "\n".join(lines) + "\n"

    def failures_markdown(self) -> str:
        lines = ["# Evaluation: every turn not answered right", "",
                 "Whole conversations by tag:", "",
                 "| tag | conversations | right | asked | wrong |", "| --- | --- | --- | --- | --- |"]
        lines += [f"| {tag} | {c.total} | {c.right} | {c.asked} | {c.wrong} |"
                  for tag, c in sorted(self.conversations.by_tag.items())]
        lines.append("")
        for report in (self.single, self.written, self.conversations):
            lines += [f"## {report.name}: {len(report.failures)} not right", ""]
            for r in report.failures:
                options = f" 选项：{' / '.join(r.options)}" if r.options else ""
                lines += [f"- **{r.outcome}** `{r.item}` 用户：{r.user}",
                          f"  - {'；'.join(r.problems)}{options}",
                          "  - 答复：" + r.reply.replace("\n", " ⏎ ")[:300]]
            lines.append("")
        return "\n".join(lines)


def load_floors(path: Path = FLOORS) -> dict[str, dict[str, float]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["floors"]


def below_floors(figures: Mapping[str, Mapping[str, float]],
                 floors: Mapping[str, Mapping[str, float]]) -> list[str]:
    """Figures outside their floors: `right` and `right_option` are minimums, `wrong` a maximum."""
    found = []
    for key, limits in floors.items():
        for name, limit in limits.items():
            value = figures[key][name]
            if (value > limit) if name == "wrong" else (value < limit):
                found.append(f"{key}.{name} = {value:.1%} (floor {limit:.1%})")
    return found


def evaluate_replies(rasa_url: str) -> ReplyReport:
    client = RestClient(rasa_url)
    report = ReplyReport(
        _evaluate_single(client, "single questions", load_questions(), label_expectations()),
        evaluate_written(client), evaluate_conversations(client))
    report.turns_sent = client.turns
    return report


def evaluate_single_questions(rasa_url: str) -> SetReport:
    """The held-out single questions alone: the desk's check before/after training
    (bot.tooling.training.check_figures)."""
    return _evaluate_single(RestClient(rasa_url), "single questions", load_questions(),
                            label_expectations())


def conversations_today(path: Path = CONVERSATIONS) -> str:
    """The day the sets' dates are worked out for (GONGKAI_TODAY for the servers)."""
    return str(yaml.safe_load(path.read_text(encoding="utf-8"))["today"])


@contextmanager
def running_assistant(model: Path) -> Iterator[str]:
    """A Rasa server and an action server for the evaluation, as the tests' `assistant` fixture
    runs them: the demo cases in a fresh SQLite database and the day pinned to the sets' day.
    Yields the Rasa server's URL."""
    import tempfile

    from bot.cases import importer
    from bot.tooling import servers, training

    work = Path(tempfile.mkdtemp(prefix="gongkai-evaluate-"))
    database_url = f"sqlite:///{work / 'gongkai.db'}"
    if importer.main([str(DEMO_CASES), "--database-url", database_url]) != 0:
        raise RuntimeError("could not load the demo cases")
    env = {**training.rasa_env(), "GONGKAI_DATABASE_URL": database_url,
           "GONGKAI_TODAY": conversations_today()}
    action_port, rasa_port = servers.free_port(), servers.free_port()
    endpoints = servers.write_endpoints(work / "endpoints.yml", action_port, work / "tracker.db")
    actions = servers.start_action_server(action_port, work / "actions.log", env=env)
    rasa = servers.start_rasa_server(rasa_port, model, endpoints, work / "rasa.log", env=env)
    try:
        actions.wait_ready()
        rasa.wait_ready()
        yield f"http://127.0.0.1:{rasa_port}"
    finally:
        rasa.stop()
        actions.stop()


def parse_with_server(rasa_url: str) -> Callable[[str], Mapping[str, Any]]:
    """Parses through a running Rasa server's /model/parse."""
    import json
    import urllib.request

    def parse(text: str) -> Mapping[str, Any]:
        request = urllib.request.Request(f"{rasa_url}/model/parse",
                                         data=json.dumps({"text": text}).encode("utf-8"),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    return parse
