"""Load benchmark: many simulated citizens talking to the assistant at once over REST.

    .venv/bin/python bench/load.py --duration 60
    .venv/bin/python bench/load.py --duration 20 --users 1,10 --modes single --no-write   (quick look)

Closed loop: each simulated citizen sends one message, waits for the reply, sends the next. A
citizen "visit" is a fresh sender id that asks 1–4 FAQ questions (held-out set + knowledge-base
examples), or — one visit in ten — looks up the demo case ZBSP-2026-0101 with its query code (three
turns: 查询进度 / case number / code); then the citizen leaves and comes back as a new sender, as
real citizens do (trackers stay short). For every level (1, 10, 50 concurrent citizens) there is a
warm-up (not counted) and then a fixed measured duration.

Two configurations:

* ``single``: one action server + one Rasa server as ``gongkai run`` and tests/support/assistant.py start
  them (bot/tooling/servers.py): SQLite tracker store, Rasa's in-process lock store.
* ``cluster``: OPS's launcher ``bot/tooling/cluster.py`` (2 Rasa + 2 action servers on PostgreSQL + Redis);
  the script sends each sender to one Rasa instance by a stable hash of the sender id, as a sticky
  proxy in front of them would.

Reports throughput (turns/s), median / p95 / p99 latency, errors (non-200, empty replies,
timeouts) and the peak RSS of every server process, and writes the table to docs/benchmarks.md
(section "Load (issue 7)"). Targets on the 2-core machine: no errors; single ≥ 40 turns/s at
p95 ≤ 300 ms with 10 users; cluster ≥ 1.6× single's throughput.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import percentile, write_section  # noqa: E402
from bot.content import knowledge  # noqa: E402
from bot.tooling import evaluation, servers, training  # noqa: E402

SECTION = "Load (issue 7)"
DEMO_CASES = ROOT / "data" / "demo" / "cases.json"
DEMO_TODAY = "2026-11-23"  # the demo cases are dated around this day (tests/support/assistant.py)
CASE_TURNS = ("查询进度", "ZBSP-2026-0101", "5843 5514 9086")  # its query code (demo data)
CASE_SHARE = 0.10
REQUEST_TIMEOUT = 10.0  # seconds; a reply slower than this counts as an error (timeout)


# ---- what the citizens say ---------------------------------------------------------------------

def faq_questions() -> List[str]:
    # only FAQ questions: a held-out 「转人工」 would park the sender with the (absent) desk, and so
    # would an FAQ question said in frustration (「氣死了 申請快兩個月沒人理 我要投訴」 is handed
    # off: every later turn of that sender then gets no reply, counted as 4 "empty" errors a run)
    from actions.handoff import FRUSTRATION_WORDS, asks_for_person
    from bot.nlp.normalize import normalize_text

    texts = [q["text"] for q in evaluation.load_questions() if q["label"].startswith("faq/")]
    kb = knowledge.load()
    texts += [e for faq in kb.faqs.values() for e in faq.examples]
    return sorted(t for t in set(texts)
                  if not FRUSTRATION_WORDS.search(normalize_text(t)) and not asks_for_person(t))


# ---- processes and their memory ----------------------------------------------------------------

def rss_tree_mb(pid: int) -> float:
    """Resident memory of a process and its descendants (Rasa's CLI may fork), from /proc."""
    total_kb, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        todo += [int(c) for c in children]
    return total_kb / 1024


@dataclass
class Deployment:
    """What the load script needs from a running configuration."""
    name: str
    rasa_urls: List[str]
    processes: Dict[str, int]  # label → pid, for RSS
    stop: Callable[[], None]
    notes: str = ""

    def url_for(self, sender: str) -> str:
        # stable across runs and processes (unlike hash()): a sticky proxy's choice
        return self.rasa_urls[zlib.crc32(sender.encode()) % len(self.rasa_urls)]


def demo_database(work: Path) -> str:
    from bot.cases import importer

    url = f"sqlite:///{work / 'gongkai.db'}"
    if importer.main([str(DEMO_CASES), "--database-url", url]) != 0:
        raise SystemExit("importing the demo cases failed")
    return url


def start_single(work: Path, model: Path) -> Deployment:
    env = {**training.rasa_env(), "GONGKAI_DATABASE_URL": demo_database(work),
           "GONGKAI_TODAY": DEMO_TODAY,
           # free ports: the default metrics ports may be taken by another running assistant
           "GONGKAI_METRICS_PORT": str(servers.free_port()),
           "GONGKAI_ACTIONS_METRICS_PORT": str(servers.free_port())}
    action_port, rasa_port = servers.free_port(), servers.free_port()
    endpoints = servers.write_endpoints(work / "endpoints.yml", action_port, work / "tracker.db")
    actions = servers.start_action_server(action_port, work / "actions.log", env=env)
    rasa = servers.start_rasa_server(rasa_port, model, endpoints, work / "rasa.log", env=env)

    def stop() -> None:
        rasa.stop()
        actions.stop()

    try:
        actions.wait_ready()
        rasa.wait_ready()
    except BaseException:
        stop()
        raise
    return Deployment("single: 1 Rasa + 1 action server, SQLite tracker, in-process lock",
                      [f"http://127.0.0.1:{rasa_port}"],
                      {"Rasa": rasa.popen.pid, "actions": actions.popen.pid}, stop)


def start_cluster(work: Path, model: Path, rasa_count: int, action_count: int) -> Deployment:
    """OPS's launcher (bot/tooling/cluster.py): a fresh PostgreSQL database (trackers + cases, dropped
    afterwards), Redis lock store, Rasa i → action server i mod M."""
    try:
        from bot.tooling.cluster import start_cluster as launch
    except ImportError as missing:
        raise SystemExit(f"bot/tooling/cluster.py is not available on this branch ({missing})") from None
    cluster = launch(rasa_count, action_count, model=model, work_dir=work,
                     env={"GONGKAI_TODAY": DEMO_TODAY})
    labels: Dict[str, int] = {}
    for kind, prefix in (("Rasa", "Rasa"), ("action", "actions")):
        for i, process in enumerate(p for p in cluster.processes if p.name.startswith(kind)):
            labels[f"{prefix} {i + 1}"] = process.popen.pid
    return Deployment(f"cluster: {rasa_count} Rasa + {action_count} action servers, "
                      "PostgreSQL tracker store, Redis lock store", list(cluster.rasa_urls), labels,
                      cluster.stop)


# ---- the simulated citizens --------------------------------------------------------------------

@dataclass
class Tally:
    latencies: List[float] = field(default_factory=list)  # ms, successful turns
    non_200: int = 0
    empty: int = 0
    timeouts: int = 0
    other: int = 0

    @property
    def errors(self) -> int:
        return self.non_200 + self.empty + self.timeouts + self.other


async def turn(http: aiohttp.ClientSession, url: str, sender: str, message: str,
               tally: Optional[Tally]) -> None:
    start = time.perf_counter()
    try:
        async with http.post(f"{url}/webhooks/rest/webhook",
                             json={"sender": sender, "message": message}) as response:
            body = await response.read()
            elapsed = (time.perf_counter() - start) * 1000
            if tally is None:
                return
            if response.status != 200:
                tally.non_200 += 1
            elif not any((r.get("text") or "").strip() or r.get("buttons")
                         for r in json.loads(body or b"[]")):
                tally.empty += 1
            else:
                tally.latencies.append(elapsed)
    except asyncio.TimeoutError:
        if tally is not None:
            tally.timeouts += 1
    except (aiohttp.ClientError, ValueError):
        if tally is not None:
            tally.other += 1


async def citizen(number: int, deployment: Deployment, questions: List[str], stop_at: float,
                  measure_from: float, tally: Tally, run_id: str) -> None:
    rng = random.Random(number)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        visit = 0
        while time.monotonic() < stop_at:
            sender = f"load-{run_id}-{number}-{visit}"
            visit += 1
            url = deployment.url_for(sender)
            if rng.random() < CASE_SHARE:
                messages = list(CASE_TURNS)
            else:
                messages = [rng.choice(questions) for _ in range(rng.randint(1, 4))]
            for message in messages:
                if time.monotonic() >= stop_at:
                    return
                counted = time.monotonic() >= measure_from
                await turn(http, url, sender, message, tally if counted else None)


async def level(deployment: Deployment, users: int, warmup: float, duration: float,
                questions: List[str]) -> Dict[str, object]:
    run_id = uuid.uuid4().hex[:6]
    tally = Tally()
    peaks: Dict[str, float] = {label: 0.0 for label in deployment.processes}
    now = time.monotonic()
    measure_from, stop_at = now + warmup, now + warmup + duration
    done = threading.Event()

    def sample() -> None:  # RSS every second, in a thread so the event loop is not disturbed
        while not done.wait(1.0):
            for label, pid in deployment.processes.items():
                peaks[label] = max(peaks[label], rss_tree_mb(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    await asyncio.gather(*(citizen(i, deployment, questions, stop_at, measure_from, tally, run_id)
                           for i in range(users)))
    done.set()
    sampler.join()
    for label, pid in deployment.processes.items():
        peaks[label] = max(peaks[label], rss_tree_mb(pid))
    lat = tally.latencies
    # turns finished after the window closes count too (each started inside it); the window is
    # what the throughput is divided by
    return {
        "users": users,
        "turns": len(lat),
        "throughput": len(lat) / duration,
        "median": statistics.median(lat) if lat else float("nan"),
        "p95": percentile(lat, 0.95) if lat else float("nan"),
        "p99": percentile(lat, 0.99) if lat else float("nan"),
        "tally": tally,
        "rss": peaks,
        # the machine's 1-minute load average as the level ends: on 2 cores, anything well over
        # the load this benchmark makes itself means other work competed for the CPU
        "load": float(Path("/proc/loadavg").read_text().split()[0]),
    }


def row(mode: str, result: Dict[str, object]) -> str:
    tally: Tally = result["tally"]
    errors = (f"{tally.errors} ({tally.non_200} non-200, {tally.empty} empty, "
              f"{tally.timeouts} timeouts, {tally.other} other)" if tally.errors else "0")
    rss = ", ".join(f"{label} {mb:.0f}" for label, mb in result["rss"].items())
    return (f"| {mode} | {result['users']} | {result['turns']} | {result['throughput']:.1f} | "
            f"{result['median']:.0f} / {result['p95']:.0f} / {result['p99']:.0f} | {errors} | {rss} | "
            f"{result['load']:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds per level")
    parser.add_argument("--warmup", type=float, default=10.0, help="uncounted seconds per level")
    parser.add_argument("--users", default="1,10,50", help="concurrent citizens, comma-separated")
    parser.add_argument("--modes", default="single,cluster", help="single and/or cluster")
    parser.add_argument("--rasa", type=int, default=2, help="Rasa instances in cluster mode")
    parser.add_argument("--actions", type=int, default=2, help="action servers in cluster mode")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--model", type=Path, help="a trained model (default: the current one), for A/B runs")
    args = parser.parse_args()

    model = args.model or training.ensure_model(quiet=True)
    questions = faq_questions()
    users = [int(u) for u in args.users.split(",")]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    deployments: Dict[str, Deployment] = {}
    results: Dict[str, List[Dict[str, object]]] = {mode: [] for mode in modes}
    try:
        for mode in modes:  # all running at once (idle servers cost no CPU) …
            work = Path(tempfile.mkdtemp(prefix=f"load-{mode}-"))
            print(f"[load] starting {mode} in {work} …", flush=True)
            deployments[mode] = (start_single(work, model) if mode == "single"
                                 else start_cluster(work, model, args.rasa, args.actions))
            print(f"[load] {deployments[mode].name}", flush=True)
        for count in users:  # … and measured in turns, so that both see the same background load
            for mode in modes:
                result = asyncio.run(level(deployments[mode], count, args.warmup, args.duration,
                                           questions))
                results[mode].append(result)
                print(row(mode, result), flush=True)
    finally:
        for deployment in deployments.values():
            deployment.stop()
    rows = [row(mode, result) for mode in modes for result in results[mode]]
    best = {mode: max(r["throughput"] for r in results[mode]) for mode in modes}

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    command = " ".join([".venv/bin/python", "bench/load.py", *sys.argv[1:]])
    summary = []
    errors = sum(r["tally"].errors for rs in results.values() for r in rs)
    summary.append(f"Errors over all levels: {errors} (target 0).")
    ten = next((r for r in results.get("single", []) if r["users"] == 10), None)
    if ten:
        summary.append(f"Single instance, 10 citizens: {ten['throughput']:.1f} turns/s at p95 "
                       f"{ten['p95']:.0f} ms (target ≥ 40 turns/s at p95 ≤ 300 ms).")
    if "single" in best and "cluster" in best:
        summary.append(f"Best throughput: cluster {best['cluster']:.1f} / single {best['single']:.1f} "
                       f"turns/s = {best['cluster'] / best['single']:.2f}× (target ≥ 1.6×).")
    header = (f"Measured {time.strftime('%Y-%m-%d %H:%M')} UTC on {os.cpu_count()} cores ({cpu}), "
              f"Python {platform.python_version()}; {args.warmup:.0f} s warm-up + {args.duration:.0f} s "
              f"measured per level, the configurations running side by side and measured in turns; "
              f"closed loop (each citizen waits for the reply); one visit in ten is a case look-up (3 turns), "
              f"the rest 1–4 FAQ questions; a new sender per visit. "
              f"Latency in ms over successful turns; RSS = peak MB per server process (with children); "
              f"load avg = the machine's 1-minute load average at the end of the level. "
              f"Command: `{command}`.")
    table = "\n".join([
        "| configuration | citizens | turns | turns/s | median / p95 / p99 ms | errors | peak RSS MB "
        "| load avg |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |", *rows])
    body = "\n\n".join([header, table, *summary])
    print(body)
    if not args.no_write:
        write_section(SECTION, body + "\n")  # a blank line before the next section


if __name__ == "__main__":
    main()
