"""How often the right FAQ is among the desk's three suggested answers for a hand-off, before and
after issue 16 item 6, on the hand-written hand-offs of bench/handoff_questions.yml:

* before: the suggestions were for the citizen's last typed message (「人呢？我等着呢」);
* after: for the latest message that is a question (bot.handoff.suggest.latest_question).

Each hand-off becomes the events the desk reads (every message parsed by the real model, as Rasa
logs it, with its intent); both queries are parsed with ``POST /model/parse`` and ranked by
bot.handoff.suggest, as the desk does.

    .venv/bin/python bench/desk_suggestions.py                      # starts a Rasa server (~1 min)
    .venv/bin/python bench/desk_suggestions.py --rasa http://127.0.0.1:5005   # one that runs
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.content import knowledge  # noqa: E402
from bot.core import history  # noqa: E402
from bot.handoff import suggest  # noqa: E402

HANDOFFS = ROOT / "bench" / "handoff_questions.yml"
Parse = Callable[[str], Dict[str, Any]]


def http_parse(rasa_url: str, token: Optional[str] = None) -> Parse:
    def parse(text: str) -> Dict[str, Any]:
        url = rasa_url.rstrip("/") + "/model/parse" + (f"?token={token}" if token else "")
        request = urllib.request.Request(url, json.dumps({"text": text}).encode("utf-8"),
                                         {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.loads(answer.read())
    return parse


def events_of(said: List[str], parse: Parse) -> List[Dict[str, Any]]:
    """The hand-off's window as the desk reads it: each message with the intent the model heard."""
    events: List[Dict[str, Any]] = [{"event": history.SESSION_STARTED}]
    for text in said:
        heard = parse(text)
        events.append({"event": history.USER, "text": text, "parse_data": {"intent": heard.get("intent") or {}}})
        events.append({"event": history.BOT, "text": "…"})
    return events


def top3(query: str, parse: Parse, kb: knowledge.KnowledgeBase) -> List[str]:
    if not query.strip():
        return []
    return [faq_id for faq_id, _ in suggest.ranking(parse(query), kb)[:suggest.LIMIT]]


def measure(parse: Parse, path: Path = HANDOFFS) -> Dict[str, Any]:
    kb = knowledge.cached()
    rows = []
    for handoff in yaml.safe_load(path.read_text(encoding="utf-8"))["handoffs"]:
        events = events_of(handoff["said"], parse)
        last = history.latest_typed(events) or ""  # what the desk used before
        question = suggest.latest_question(events)
        after_query = question.query if question else ""
        rows.append({"faq": handoff["faq"], "before_query": last, "after_query": after_query,
                     "before": handoff["faq"] in top3(last, parse, kb),
                     "after": handoff["faq"] in top3(after_query, parse, kb)})
    total = len(rows)
    return {"total": total, "before": sum(r["before"] for r in rows),
            "after": sum(r["after"] for r in rows), "rows": rows}


def report(result: Dict[str, Any]) -> str:
    total = result["total"]
    lines = [f"right FAQ among the three suggestions, {total} hand-written hand-offs:",
             f"  before (last message):   {result['before']}/{total} = {result['before'] / total:.0%}",
             f"  after (latest question): {result['after']}/{total} = {result['after'] / total:.0%}"]
    for row in result["rows"]:
        if not row["after"]:
            lines.append(f"  missed after: {row['faq']} ← {row['after_query'] or '(no question)'}")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rasa", help="a running Rasa server's URL (else one is started)")
    parser.add_argument("--token", help="its API token, if it wants one")
    args = parser.parse_args(argv)
    if args.rasa:
        print(report(measure(http_parse(args.rasa, args.token))))
        return 0
    from bot.tooling import servers, training

    model = training.ensure_model(quiet=True)
    with tempfile.TemporaryDirectory() as work:
        port = servers.free_port()
        endpoints = servers.write_endpoints(Path(work) / "endpoints.yml", servers.free_port(),
                                            Path(work) / "tracker.db")
        rasa = servers.start_rasa_server(port, model, endpoints, Path(work) / "rasa.log",
                                         env=training.rasa_env())
        try:
            rasa.wait_ready()
            print(report(measure(http_parse(f"http://127.0.0.1:{port}"))))
        finally:
            rasa.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
