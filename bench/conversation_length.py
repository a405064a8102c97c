"""Conversation-length benchmark: does a turn get dearer as one conversation grows?

    .venv/bin/python bench/conversation_length.py                      (600 turns, both stores)
    .venv/bin/python bench/conversation_length.py --turns 1000 --stores windowed --no-write

One sender talks to the assistant for ``--turns`` turns in a row over REST (closed loop: each
message waits for the reply), asking the FAQ questions of the load benchmark in a fixed shuffled
order, none of which hands the conversation to an agent. Each store under test gets its own action
server + Rasa server (as ``gongkai run`` starts them: SQLite tracker store, in-process lock store,
GONGKAI_RATE_LIMIT=off so that 600 turns a few minutes long are not slowed down by the guard).
The stores are measured *interleaved*: turn n goes to one, then turn n to the other, so both see
the same load on a shared machine and their ratio holds even when the absolute figures swing.

* ``rasa``: Rasa's own SQLTrackerStore (``type: SQL``): each turn loads the whole session;
* ``windowed``: bot/serving/tracker_store.py (the session's state and last ``window_turns`` turns).

Reports the median latency of each block of 100 turns (and of turn 1, a new sender), the ratio of
the last block to the first, the peak RSS of each Rasa server, and writes the table to
docs/benchmarks.md (section "Conversation length"). Target: last block ≤ 1.2 × the first.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import DEMO_TODAY, demo_database, faq_questions, rss_tree_mb  # noqa: E402
from bench.run import write_section  # noqa: E402
from bot.tooling import servers, training  # noqa: E402

SECTION = "Conversation length (issue 17)"
STORES = {"rasa": None, "windowed": servers.WINDOW_TURNS}  # name → window_turns (None: Rasa's)
TIMEOUT = 30.0


@dataclass
class Assistant:
    name: str
    url: str
    processes: List[servers.Process]
    latencies: List[float] = field(default_factory=list)  # ms, answered turns in order
    errors: int = 0  # turns answered with an HTTP error or no message at all
    peak_rss: float = 0.0

    @property
    def rasa_pid(self) -> int:
        return self.processes[-1].popen.pid

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()


def start(name: str, window_turns: Optional[int], work: Path, database_url: str,
          model: Path) -> Assistant:
    work.mkdir(parents=True)
    env = {**training.rasa_env(), "GONGKAI_DATABASE_URL": database_url, "GONGKAI_TODAY": DEMO_TODAY,
           # an evening: a question that hands off offers a call-back instead of pausing the
           # conversation (in office hours the bot falls silent for the rest of the run)
           "GONGKAI_NOW": f"{DEMO_TODAY}T20:00:00",
           "GONGKAI_RATE_LIMIT": "off",
           "GONGKAI_METRICS_PORT": str(servers.free_port()),
           "GONGKAI_ACTIONS_METRICS_PORT": str(servers.free_port())}
    action_port, rasa_port = servers.free_port(), servers.free_port()
    endpoints = servers.write_endpoints(work / "endpoints.yml", action_port, work / "tracker.db",
                                        window_turns=window_turns)
    actions = servers.start_action_server(action_port, work / "actions.log", env=env)
    rasa = servers.start_rasa_server(rasa_port, model, endpoints, work / "rasa.log", env=env)
    return Assistant(name, f"http://127.0.0.1:{rasa_port}", [actions, rasa])


def say(http: requests.Session, assistant: Assistant, sender: str, text: str, turn: int) -> None:
    started = time.perf_counter()
    response = http.post(f"{assistant.url}/webhooks/rest/webhook",
                         json={"sender": sender, "message": text}, timeout=TIMEOUT)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200 or not response.json():
        assistant.errors += 1  # counted, not timed; the conversation goes on
        print(f"{assistant.name}: turn {turn} got {response.status_code} {response.text[:200]!r}",
              flush=True)
        return
    assistant.latencies.append(elapsed)


def blocks(latencies: List[float], size: int) -> List[float]:
    return [statistics.median(latencies[i:i + size]) for i in range(0, len(latencies), size)]


def table(assistants: List[Assistant], size: int, load: str) -> str:
    turns = len(assistants[0].latencies)
    head = ["store", "turn 1"] + [f"{i + 1}–{min(i + size, turns)}" for i in range(0, turns, size)]
    head += ["last / first block", "errors", "peak RSS Rasa MB"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for assistant in assistants:
        medians = blocks(assistant.latencies, size)
        lines.append("| " + " | ".join(
            [assistant.name, f"{assistant.latencies[0]:.0f}"] + [f"{m:.0f}" for m in medians]
            + [f"{medians[-1] / medians[0]:.2f}×", str(assistant.errors),
               f"{assistant.peak_rss:.0f}"]) + " |")
    return "\n".join(lines) + (f"\n\nMedian ms per block of {size} answered turns; load average during "
                                f"the run: {load}.")


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=600)
    parser.add_argument("--block", type=int, default=100, help="turns per reported median")
    parser.add_argument("--stores", default="rasa,windowed", help="comma-separated: rasa, windowed")
    parser.add_argument("--model", type=Path, help="default: the model for the current data")
    parser.add_argument("--no-write", action="store_true", help="print only, keep docs/benchmarks.md")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.stores.split(",") if n.strip()]
    if not names or any(n not in STORES for n in names):
        parser.error(f"--stores: choose from {', '.join(STORES)}")
    model = args.model or training.model_path()
    if not model.exists():
        raise SystemExit(f"no model at {model}: run `.venv/bin/gongkai train` first")

    work = Path(tempfile.mkdtemp(prefix="bench-length-"))
    database_url = demo_database(work)
    assistants: List[Assistant] = []
    try:
        for name in names:
            assistants.append(start(name, STORES[name], work / name, database_url, model))
        for assistant in assistants:
            for process in assistant.processes:
                process.wait_ready()
        questions = faq_questions()
        random.Random(17).shuffle(questions)
        sender = f"length-{uuid.uuid4().hex[:8]}"
        loads: List[float] = []
        http = requests.Session()
        for n in range(args.turns):
            text = questions[n % len(questions)]
            for assistant in assistants if n % 2 == 0 else reversed(assistants):
                say(http, assistant, sender, text, n + 1)
            if n % 50 == 49:
                loads.append(os.getloadavg()[0])
                for assistant in assistants:
                    assistant.peak_rss = max(assistant.peak_rss, rss_tree_mb(assistant.rasa_pid))
                print(f"turn {n + 1}: " + ", ".join(
                    f"{a.name} {statistics.median(a.latencies[-50:]):.0f} ms" for a in assistants),
                    flush=True)
    finally:
        for assistant in assistants:
            assistant.stop()
    load = f"{min(loads):.1f}–{max(loads):.1f}" if loads else "n/a"
    body = table(assistants, args.block, load)
    print(body)
    if not args.no_write:
        command = ".venv/bin/python bench/conversation_length.py" + (
            f" --turns {args.turns}" if args.turns != 600 else "")
        write_section(SECTION, f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
                               f"one sender, {args.turns} turns, stores measured interleaved. "
                               f"Command: `{command}`.\n\n{body}")


if __name__ == "__main__":
    main()
