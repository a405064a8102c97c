"""Where the Rasa server's resident memory goes: RSS after each stage of loading the model.

    .venv/bin/python bench/memory_breakdown.py [--model models/gongkai-….tar.gz]

Runs in one fresh process with the serving process's settings (bot.serving.rasa_launch.lean_process)
and prints the RSS after: the interpreter, importing TensorFlow, importing Rasa's server, loading
the model (Agent.load), and parsing 40 questions; then the size of what the model holds: each
CountVectorsFeaturizer's vocabulary and each classifier's weights. Reading, not a target: the
figures for docs/benchmarks.md ("Memory").
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()

    from bot.serving.rasa_launch import lean_process

    lean_process()
    stages = [("interpreter + project settings", rss_mb())]
    import tensorflow  # noqa: F401

    stages.append(("import tensorflow", rss_mb()))
    import rasa.server  # noqa: F401
    from rasa.core.agent import Agent  # noqa: F401

    stages.append(("import Rasa's agent and server", rss_mb()))
    from rasa.engine.graph import GraphNode

    from bench.load import faq_questions
    from bot.tooling import training

    # each component's share of Agent.load: RSS around its own loading
    loads: list = []
    original_load = GraphNode._load_component

    def measured_load(node: GraphNode, **kwargs: object) -> None:
        before = rss_mb()
        original_load(node, **kwargs)
        loads.append((node._node_name, rss_mb() - before))

    GraphNode._load_component = measured_load  # type: ignore[method-assign]
    model = args.model or training.model_path()
    agent = Agent.load(str(model))
    GraphNode._load_component = original_load  # type: ignore[method-assign]
    stages.append(("Agent.load(model)", rss_mb()))

    async def parse_all() -> None:
        for question in faq_questions()[:40]:
            await agent.parse_message(question)

    asyncio.run(parse_all())
    stages.append(("after parsing 40 questions", rss_mb()))

    previous = 0.0
    print("| stage | RSS MB | added MB |\n| --- | --- | --- |")
    for name, value in stages:
        print(f"| {name} | {value:.0f} | {value - previous:+.0f} |")
        previous = value

    print("\n| component loaded by Agent.load | added MB |\n| --- | --- |")
    for name, added in sorted(loads, key=lambda item: -item[1]):
        if added >= 1:
            print(f"| {name} | {added:+.0f} |")
    unpacking = stages[-2][1] - stages[-3][1] - sum(added for _, added in loads)
    print(f"| (the rest: unpacking the model archive, the domain, the graph) | {unpacking:+.0f} |")


if __name__ == "__main__":
    main()
