"""CPU per message of the Rasa server's NLU: Rasa's parse as the project shipped it before issue 17
vs with bot.serving.rasa_launch's NLU patches, same model, same questions, same results.

    .venv/bin/python bench/nlu_overhead.py
    .venv/bin/python bench/nlu_overhead.py --rounds 9 --patches direct_predict_calls

Two worker processes load the trained model as the Rasa server does (``lean_process``,
``fast_event_lookup``, ``inference_only_models``, the server's logging set-up):

* ``A``: nothing more (the loader as shipped before these patches);
* ``B``: also the patches named by ``--patches`` (default: all of ``NLU_PATCHES``).

Timing: after a warm-up round each, every round parses the 213 questions of bench/dev/questions.yml
once in each worker, one worker at a time (A then B, then B then A in the next round), so machine
noise falls on both. Reported: the median ms of one ``agent.parse_message`` over all rounds, the
per-round medians (their spread) and the process CPU ms per parse.

Results: both workers parse every question of bench/dev/questions.yml, tests/heldout/questions.yml
and tests/heldout/written.yml (texts only; nothing of them is printed) and the whole parse results
must be equal — intent and ranking names, response-selector keys, entities, tokens — with every
number equal within 1e-6. Exit status 1 if any differs.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TIMED = ROOT / "bench" / "dev" / "questions.yml"
COMPARED = (TIMED, ROOT / "tests" / "heldout" / "questions.yml", ROOT / "tests" / "heldout" / "written.yml")
NLU_PATCHES = ("direct_predict_calls", "fast_sparse_combination", "plain_graph_runner")
TOLERANCE = 1e-6


def texts(path: Path) -> List[str]:
    return [q["text"] for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]]


# ---- a worker: one loaded model --------------------------------------------------------------

def plain(value: Any) -> Any:
    """A parse result as JSON (numpy numbers and arrays as Python's)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def worker(patches: Sequence[str]) -> None:
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # whatever Rasa prints goes to stderr; stdout carries the protocol only
    from bot.serving import rasa_launch

    rasa_launch.lean_process()
    rasa_launch.fast_event_lookup()
    rasa_launch.inference_only_models()
    for name in patches:
        getattr(rasa_launch, name)()
    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    from bot.tooling import training

    configure_logging_and_warnings(None, str(ROOT / "logging.yml"), warn_only_once=True,
                                   filter_repeated_logs=True)
    configure_structlog(None)
    agent = Agent.load(str(training.ensure_model(quiet=True)))
    loop = asyncio.new_event_loop()
    protocol.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        request = json.loads(line)
        if request["do"] == "time":
            spent: List[float] = []
            cpu = time.process_time()
            for text in request["texts"]:
                started = time.perf_counter()
                loop.run_until_complete(agent.parse_message(text))
                spent.append((time.perf_counter() - started) * 1000)
            answer: Dict[str, Any] = {"ms": spent, "cpu_ms": (time.process_time() - cpu) * 1000}
        else:
            answer = {"results": [plain(loop.run_until_complete(agent.parse_message(text)))
                                  for text in request["texts"]]}
        protocol.write(json.dumps(answer, ensure_ascii=False) + "\n")


class Worker:
    def __init__(self, name: str, patches: Sequence[str]) -> None:
        self.name = name
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--worker", ",".join(patches)], cwd=ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONWARNINGS": "ignore",
                 "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"})
        assert json.loads(self.process.stdout.readline() or "{}").get("ready"), f"{name} did not start"

    def ask(self, do: str, texts: List[str]) -> Dict[str, Any]:
        self.process.stdin.write(json.dumps({"do": do, "texts": texts}, ensure_ascii=False) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"worker {self.name} stopped")
        return json.loads(line)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


# ---- equality ----------------------------------------------------------------------------------

def differences(a: Any, b: Any, where: str = "") -> Tuple[List[str], float]:
    """Where two parse results differ (numbers: by more than TOLERANCE), and the largest
    difference between two numbers."""
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None or isinstance(a, str):
        return ([] if a == b and type(a) is type(b) else [where]), 0.0
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        gap = abs(a - b)
        return ([] if gap <= TOLERANCE else [where]), gap
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return [f"{where} keys"], 0.0
        found: List[str] = []
        largest = 0.0
        for key in a:
            more, gap = differences(a[key], b[key], f"{where}.{key}")
            found += more
            largest = max(largest, gap)
        return found, largest
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where} length"], 0.0
        found, largest = [], 0.0
        for i, (x, y) in enumerate(zip(a, b)):
            more, gap = differences(x, y, f"{where}[{i}]")
            found += more
            largest = max(largest, gap)
        return found, largest
    return ([] if a == b else [where]), 0.0


def compare(a: Worker, b: Worker) -> bool:
    same = True
    for path in COMPARED:
        questions = texts(path)
        theirs = a.ask("parse", questions)["results"]
        ours = b.ask("parse", questions)["results"]
        bad, largest, exact = 0, 0.0, 0
        for i, (x, y) in enumerate(zip(theirs, ours)):
            found, gap = differences(x, y)
            largest = max(largest, gap)
            exact += x == y
            if found:
                bad += 1
                print(f"  {path.relative_to(ROOT)} question {i + 1}: differs at {', '.join(found[:5])}")
        ranked = sum(bool(r.get("intent_ranking")) and bool(r.get("response_selector")) for r in ours)
        print(f"{path.relative_to(ROOT)}: {len(questions)} questions, {len(questions) - bad} the same "
              f"({exact} bit for bit, largest difference {largest:.1e}); {ranked} with intent and "
              f"response-selector rankings")
        same = same and bad == 0 and len(theirs) == len(ours) == len(questions)
    return same


# ---- timing -----------------------------------------------------------------------------------

def timing(a: Worker, b: Worker, rounds: int) -> None:
    questions = texts(TIMED)
    for w in (a, b):
        w.ask("time", questions)  # warm-up
    per: Dict[str, List[float]] = {a.name: [], b.name: []}
    round_medians: Dict[str, List[float]] = {a.name: [], b.name: []}
    cpu: Dict[str, List[float]] = {a.name: [], b.name: []}
    for r in range(rounds):
        for w in ((a, b) if r % 2 == 0 else (b, a)):
            got = w.ask("time", questions)
            per[w.name] += got["ms"]
            round_medians[w.name].append(statistics.median(got["ms"]))
            cpu[w.name].append(got["cpu_ms"] / len(questions))
    print(f"{rounds} rounds x {len(questions)} parses per worker")
    for name in per:
        print(f"{name}: median {statistics.median(per[name]):.2f} ms/parse, mean {statistics.mean(per[name]):.2f}; "
              f"round medians {min(round_medians[name]):.2f}–{max(round_medians[name]):.2f}; "
              f"CPU {statistics.median(cpu[name]):.2f} ms/parse "
              f"(rounds {min(cpu[name]):.2f}–{max(cpu[name]):.2f})")
    ratio = statistics.median(per[b.name]) / statistics.median(per[a.name])
    # each round's B against the same round's A (run back to back): less of the machine's drift
    paired = [y / x for x, y in zip(round_medians[a.name], round_medians[b.name])]
    print(f"B/A: {ratio:.3f} of the median; round by round {statistics.median(paired):.3f} "
          f"({min(paired):.3f}–{max(paired):.3f})")


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--patches", default=",".join(NLU_PATCHES),
                        help="rasa_launch functions applied in worker B (comma-separated)")
    parser.add_argument("--against", default="",
                        help="rasa_launch functions applied in worker A too (to measure one more patch)")
    parser.add_argument("--no-compare", action="store_true", help="timing only")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        worker([p for p in args.worker.split(",") if p])
        return
    patches = [p for p in args.patches.split(",") if p]
    against = [p for p in args.against.split(",") if p]
    print(f"A: as shipped before issue 17{' + ' + ', '.join(against) if against else ''}; "
          f"B: + {', '.join(patches) or 'nothing'}; load average {loadavg()}")
    a, b = Worker("A", against), Worker("B", patches)
    try:
        same = True if args.no_compare else compare(a, b)
        timing(a, b, args.rounds)
        print(f"load average {loadavg()}")
    finally:
        a.close()
        b.close()
    if not same:
        print("RESULTS DIFFER")
        sys.exit(1)


if __name__ == "__main__":
    main()
