"""Resident memory of the Rasa server, and what its allocator and TensorFlow thread settings change.

    .venv/bin/python bench/memory.py
    .venv/bin/python bench/memory.py --turns 300 --variants as-shipped,rasa-defaults

Starts the action server and the Rasa server (as `gongkai run` does) once per variant, one variant
at a time, and reports the Rasa server's RSS when it is ready and after ``--turns`` turns over 20
conversations, its start-up time and the webhook median over the last half of the turns:

* ``as-shipped``: bot.serving.rasa_launch's defaults (see its docstring);
* ``rasa-defaults``: glibc's and TensorFlow's own defaults (GONGKAI_RASA_LEAN=0).

Writes the table to docs/benchmarks.md (section "Memory").
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import DEMO_TODAY, demo_database, faq_questions, rss_tree_mb  # noqa: E402
from bench.run import write_section  # noqa: E402
from bot.tooling import servers, training  # noqa: E402

VARIANTS: Dict[str, Dict[str, str]] = {
    "as-shipped": {},
    "rasa-defaults": {"GONGKAI_RASA_LEAN": "0"},
}


def measure(name: str, extra_env: Dict[str, str], model: Path, turns: int, work: Path,
            database_url: str, questions: List[str]) -> Dict[str, float]:
    work.mkdir(parents=True)
    env = {**training.rasa_env(), "GONGKAI_DATABASE_URL": database_url, "GONGKAI_TODAY": DEMO_TODAY,
           # an evening: a question that hands off offers a call-back instead of pausing the
           # conversation (in office hours the bot falls silent for the rest of the run)
           "GONGKAI_NOW": f"{DEMO_TODAY}T20:00:00",
           "GONGKAI_RATE_LIMIT": "off", "GONGKAI_METRICS_PORT": str(servers.free_port()),
           "GONGKAI_ACTIONS_METRICS_PORT": str(servers.free_port()), **extra_env}
    action_port, rasa_port = servers.free_port(), servers.free_port()
    endpoints = servers.write_endpoints(work / "endpoints.yml", action_port, work / "tracker.db")
    actions = servers.start_action_server(action_port, work / "actions.log", env=env)
    started = time.perf_counter()
    rasa = servers.start_rasa_server(rasa_port, model, endpoints, work / "rasa.log", env=env)
    try:
        rasa.wait_ready()
        startup = time.perf_counter() - started
        actions.wait_ready()
        ready_rss = rss_tree_mb(rasa.popen.pid)
        http, latencies = requests.Session(), []
        for n in range(turns):
            begun = time.perf_counter()
            http.post(f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
                      json={"sender": f"memory-{n % 20}", "message": questions[n % len(questions)]},
                      timeout=60).raise_for_status()
            latencies.append((time.perf_counter() - begun) * 1000)
        return {"startup": startup, "ready": ready_rss, "after": rss_tree_mb(rasa.popen.pid),
                "median": statistics.median(latencies[turns // 2:]), "load": os.getloadavg()[0]}
    finally:
        rasa.stop()
        actions.stop()


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.variants.split(",") if n.strip()]
    if not names or any(n not in VARIANTS for n in names):
        parser.error(f"--variants: choose from {', '.join(VARIANTS)}")
    model = training.model_path()
    if not model.exists():
        raise SystemExit(f"no model at {model}: run `.venv/bin/gongkai train` first")
    work = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    database_url = demo_database(work)
    questions = faq_questions()
    random.Random(17).shuffle(questions)
    lines = ["| variant | start-up s | RSS ready MB | RSS after turns MB | webhook median ms | load avg |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name in names:
        figures = measure(name, VARIANTS[name], model, args.turns, work / name, database_url,
                          questions)
        lines.append(f"| {name} | {figures['startup']:.1f} | {figures['ready']:.0f} | "
                     f"{figures['after']:.0f} | {figures['median']:.1f} | {figures['load']:.1f} |")
        print(lines[-1], flush=True)
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        command = ".venv/bin/python bench/memory.py" + (f" --turns {args.turns}"
                                                         if args.turns != 200 else "")
        write_section("Memory (issue 17)",
                      f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, one variant "
                      f"at a time, {args.turns} turns over 20 conversations after start-up. "
                      f"Command: `{command}`.\n\n{body}")


if __name__ == "__main__":
    main()
