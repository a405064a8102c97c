"""Foundation benchmark: train time, model size, start-up time, memory and latency.

    make bench                  (= .venv/bin/python bench/run.py)
    .venv/bin/python bench/run.py --skip-train --calls 300

Trains from scratch (empty Rasa cache, temporary output directory) unless --skip-train, starts the
real action server and Rasa server on free ports, warms up, then times sequential calls from one
client: /model/parse and the REST webhook (which runs a custom action), with questions from the
held-out set. Prints a Markdown table and writes it to docs/benchmarks.md (section "Foundation").
Targets (issue 2): webhook median ≤ 40 ms and p95 ≤ 80 ms; start-up ≤ 60 s; Rasa RSS ≤ 1.5 GB.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.tooling import build_data, evaluation, servers, training  # noqa: E402

REPORT = ROOT / "docs" / "benchmarks.md"


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the Rasa CLI may fork)."""
    total = 0
    pids = [pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                                   text=True).stdout.split()]
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def timed_post(url: str, body: dict) -> float:
    request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        assert response.status == 200
    return (time.perf_counter() - start) * 1000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def train_from_scratch() -> tuple[float, Path]:
    build_data.build()
    out = Path(tempfile.mkdtemp(prefix="bench-model-"))
    env = training.rasa_env()
    env["RASA_CACHE_DIRECTORY"] = tempfile.mkdtemp(prefix="bench-cache-")
    start = time.perf_counter()
    subprocess.run([training.rasa_executable(), "train", "--data", *training.TRAINING_DATA,
                    "--domain", "domain", "--config", "config.yml", "--out", str(out)],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, next(out.glob("*.tar.gz"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-train", action="store_true", help="reuse the current model")
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()

    if args.skip_train:
        train_seconds, model = None, training.ensure_model(quiet=True)
    else:
        train_seconds, model = train_from_scratch()
    work = Path(tempfile.mkdtemp(prefix="bench-run-"))
    action_port, rasa_port = servers.free_port(), servers.free_port()
    endpoints = servers.write_endpoints(work / "endpoints.yml", action_port, work / "tracker.db")
    actions = servers.start_action_server(action_port, work / "actions.log")
    started = time.perf_counter()
    rasa = servers.start_rasa_server(rasa_port, model, endpoints, work / "rasa.log")
    try:
        rasa.wait_ready()
        startup = time.perf_counter() - started
        actions.wait_ready()
        base = f"http://127.0.0.1:{rasa_port}"
        questions = [q["text"] for q in evaluation.load_questions()]
        texts = [questions[i % len(questions)] for i in range(args.calls)]
        for text in texts[:20]:  # warm-up: first calls load lazily-built graphs
            timed_post(f"{base}/model/parse", {"text": text})
            timed_post(f"{base}/webhooks/rest/webhook", {"sender": "warmup", "message": text})
        parse = [timed_post(f"{base}/model/parse", {"text": t}) for t in texts]
        webhook = [timed_post(f"{base}/webhooks/rest/webhook", {"sender": f"bench-{i % 20}", "message": t})
                   for i, t in enumerate(texts)]
        rasa_rss, actions_rss = rss_mb(rasa.popen.pid), rss_mb(actions.popen.pid)
    finally:
        rasa.stop()
        actions.stop()

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    rows = [
        ("`rasa train` from scratch", f"{train_seconds:.0f} s" if train_seconds else "(skipped)", ""),
        ("model file", f"{model.stat().st_size / 1e6:.1f} MB", ""),
        ("start until /status answers", f"{startup:.1f} s", "≤ 60 s"),
        ("RSS Rasa server", f"{rasa_rss:.0f} MB", "≤ 1536 MB"),
        ("RSS action server", f"{actions_rss:.0f} MB", ""),
        (f"/model/parse median / p95 ({args.calls} calls)",
         f"{statistics.median(parse):.1f} / {percentile(parse, 0.95):.1f} ms", ""),
        (f"REST webhook median / p95 ({args.calls} calls)",
         f"{statistics.median(webhook):.1f} / {percentile(webhook, 0.95):.1f} ms", "≤ 40 / ≤ 80 ms"),
    ]
    table = "\n".join(["| figure | value | target |", "| --- | --- | --- |",
                       *[f"| {a} | {b} | {c} |" for a, b, c in rows]])
    header = (f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores ({cpu}), "
              f"Python {platform.python_version()}, one sequential client, "
              f"command: `{' '.join(['.venv/bin/python', 'bench/run.py', *sys.argv[1:]])}`.")
    print(header + "\n\n" + table)
    if not args.no_write:
        write_section("Foundation (issue 2)", header + "\n\n" + table)


def write_section(title: str, body: str) -> None:
    """Replaces (or appends) one `## title` section of docs/benchmarks.md."""
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else "# Benchmarks\n"
    marker = f"## {title}"
    section = f"{marker}\n\n{body}\n"
    if marker in text:
        start = text.index(marker)
        end = text.find("\n## ", start + len(marker))
        text = text[:start] + section + (text[end + 1:] if end != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
