"""Where the CPU of a turn goes: the Rasa server and the action server under cProfile.

    .venv/bin/python bench/profile_turn.py                       (200 turns of one conversation)
    .venv/bin/python bench/profile_turn.py --turns 300 --senders 30 --window 0

Starts the action server and the Rasa server as `gongkai run` does (SQLite tracker store, rate
limit off), each inside ``python -m cProfile``, drives ``--turns`` turns spread over ``--senders``
conversations (the FAQ questions of the load benchmark; one sender = one long conversation), stops
both and prints, per process, the time per turn (cProfile measures wall time: on a busy machine it
includes waiting for a core) of the parts of a turn (by the function
that contains the time: NLU, policies, tracker load/save, action call, JSON, HTTP…) and the top
functions by own time. ``--window 0`` uses Rasa's own SQLTrackerStore instead of the windowed one.
The profiles are kept (path printed) for ``python -m pstats``.
"""
from __future__ import annotations

import argparse
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import List, Optional

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import DEMO_TODAY, demo_database, faq_questions  # noqa: E402
from bot.tooling import servers, training  # noqa: E402

# the parts of a turn, by a function each part's time passes through (first match wins)
PARTS = [
    ("NLU (parse_message)", "rasa/core/processor.py", "parse_message"),
    ("policies (predict)", "rasa/core/processor.py", "_predict_next_with_tracker"),
    ("custom action call (HTTP, incl. action server wait)", "rasa/core/actions/action.py", "run"),
    ("tracker load", "rasa/core/processor.py", "fetch_tracker_and_update_session"),
    ("tracker save", "rasa/core/processor.py", "save_tracker"),
    ("whole turn (handle_message)", "rasa/core/processor.py", "handle_message"),
]
ACTION_PARTS = [
    ("run one action (our code)", "rasa_sdk/executor.py", "run"),
    ("tracker from JSON", "rasa_sdk/interfaces.py", "from_dict"),
    ("whole webhook", "rasa_sdk/endpoint.py", "webhook"),
]


def profiled(command: List[str], output: Path) -> List[str]:
    """`python -m X …` → `python -m cProfile -o output -m X …`."""
    assert command[1] == "-m"
    return [command[0], "-m", "cProfile", "-o", str(output), *command[1:]]


def cumulative(stats: pstats.Stats, file_part: str, function: str) -> float:
    return sum(entry[3] for (path, _, name), entry in stats.stats.items()
               if name == function and path.endswith(file_part))


def report(title: str, path: Path, parts, turns: int, top: int) -> str:
    stats = pstats.Stats(str(path))
    lines = [f"### {title} ({turns} turns; profile: {path})", "",
             "| part | ms per turn (profiled, wall time) |", "| --- | --- |"]
    for label, file_part, function in parts:
        lines.append(f"| {label} | {cumulative(stats, file_part, function) * 1000 / turns:.1f} |")
    lines += ["", f"Top {top} functions by own time (ms per turn):", ""]
    ranked = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:top]
    for (file, line, name), (_, _, own, cum, _) in ranked:
        short = file.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
        lines.append(f"- {own * 1000 / turns:.2f} ms own, {cum * 1000 / turns:.2f} ms cumulative: "
                     f"`{name}` ({short}:{line})")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--senders", type=int, default=1)
    parser.add_argument("--window", type=int, default=servers.WINDOW_TURNS,
                        help="window_turns of the tracker store; 0: Rasa's own store")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    model = training.model_path()
    if not model.exists():
        raise SystemExit(f"no model at {model}: run `.venv/bin/gongkai train` first")

    work = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    env = {**training.rasa_env(), "GONGKAI_DATABASE_URL": demo_database(work),
           "GONGKAI_TODAY": DEMO_TODAY,
           # an evening: a question that hands off offers a call-back instead of pausing the
           # conversation (in office hours the bot falls silent for the rest of the run)
           "GONGKAI_NOW": f"{DEMO_TODAY}T20:00:00", "GONGKAI_RATE_LIMIT": "off",
           "GONGKAI_METRICS_PORT": str(servers.free_port()),
           "GONGKAI_ACTIONS_METRICS_PORT": str(servers.free_port())}
    action_port, rasa_port = servers.free_port(), servers.free_port()
    endpoints = servers.write_endpoints(work / "endpoints.yml", action_port, work / "tracker.db",
                                        window_turns=args.window or None)
    python = str(Path(training.rasa_executable()).with_name("python"))
    actions_cmd = [python, "-m", "bot.serving.action_server", "--port", str(action_port),
                   "--logging-config-file", str(servers.LOGGING_CONFIG)]  # as start_action_server
    actions = servers._spawn("action server", profiled(actions_cmd, work / "actions.prof"),
                             f"http://127.0.0.1:{action_port}/health", work / "actions.log", env)
    rasa_cmd = servers.rasa_command(rasa_port, model, endpoints, ROOT / "credentials.yml", None,
                                    servers.ANY_ORIGIN)
    rasa = servers._spawn("Rasa server", profiled(rasa_cmd, work / "rasa.prof"),
                          f"http://127.0.0.1:{rasa_port}/status", work / "rasa.log", env)
    try:
        actions.wait_ready(timeout=900)  # the profiler slows start-up down
        rasa.wait_ready(timeout=900)
        questions = faq_questions()
        random.Random(17).shuffle(questions)
        http = requests.Session()
        started = time.perf_counter()
        for n in range(args.turns):
            response = http.post(f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
                                 json={"sender": f"profile-{n % args.senders}",
                                       "message": questions[n % len(questions)]}, timeout=60)
            response.raise_for_status()
        wall = time.perf_counter() - started
    finally:
        rasa.stop(timeout=60)
        actions.stop(timeout=60)
    print(f"{args.turns} turns over {args.senders} conversation(s) in {wall:.1f} s "
          f"({wall * 1000 / args.turns:.1f} ms per turn, wall); window_turns {args.window or 'off'}\n")
    print(report("Rasa server", work / "rasa.prof", PARTS, args.turns, args.top))
    print()
    print(report("Action server", work / "actions.prof", ACTION_PARTS, args.turns, args.top))


if __name__ == "__main__":
    main()
