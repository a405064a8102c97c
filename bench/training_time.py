"""Training time: adding paraphrases to a trained model, full training vs Rasa's finetuning
(issue 17 item 3). Writes nothing in the project: everything happens in a copy of the model
inputs in a temporary folder.

    .venv/bin/python bench/training_time.py [--runs 3] [--full-runs 1] [--fractions 0.2 0.1]
                                            [--paraphrases 10] [--evaluate]

1. The current model (trained by `gongkai train`, as `make run` does) is the base; the copy's
   inputs are checked to be the ones it was trained on (same fingerprint).
2. `--paraphrases` questions of the dev set (bench/dev/questions.yml, every 5th, not the held-out
   sets) are added as paraphrases of their FAQ, as the desk adds them (bot.desk.workbench).
3. Each finetune (`rasa train --finetune BASE --epoch-fraction F`, bot.tooling.training.train) and
   each full training is timed `--runs` / `--full-runs` times, in wall-clock seconds and in CPU
   seconds of the training process (user + system: what the work costs, much less sensitive to
   what else the shared machine runs); the medians are printed.
4. With --evaluate, every model (base, each finetune fraction's first run, the first full
   training) is scored with the real servers: the held-out sets' three outcomes (as `gongkai
   evaluate`; reported, never tuned on) and the dev conversations (bench/dev_conversations.py).

The machine is shared: compare the ratios finetune / full (CPU seconds above all), not the
absolute seconds with another day's.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.tooling import build_data, evaluation, training  # noqa: E402

DEV_QUESTIONS = ROOT / "bench" / "dev" / "questions.yml"
DEV_CONVERSATIONS = ROOT / "bench" / "dev" / "conversations.yml"
COPIED = ["config.yml", "domain", "data", "bot/nlp", "models/spacy_zh"]


def copy_inputs(work: Path) -> None:
    for name in COPIED:
        source, target = ROOT / name, work / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)


def dev_paraphrases(count: int) -> list[tuple[str, str]]:
    questions = yaml.safe_load(DEV_QUESTIONS.read_text(encoding="utf-8"))["questions"]
    return [(q["faq"], q["text"]) for q in questions[::5] if q.get("faq")][:count]


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # processes that ended and were waited for
    return usage.ru_utime + usage.ru_stime


def timed_training(target: Path, work: Path, base: Path | None,
                   fraction: float) -> tuple[str, float, float]:
    """(mode, wall seconds, CPU seconds) of one training."""
    started, cpu = time.monotonic(), cpu_of_children()
    mode = training.train(target, work, base=base, quiet=True, epoch_fraction=fraction)
    return mode, time.monotonic() - started, cpu_of_children() - cpu


def scores(model: Path) -> dict[str, str]:
    with evaluation.running_assistant(model) as rasa_url:
        replies = evaluation.evaluate_replies(rasa_url)
        dev = evaluation.evaluate_conversations(evaluation.RestClient(rasa_url), DEV_CONVERSATIONS)
    return {"replies": replies.markdown(), "dev": dev.items.row("dev conversations, whole") + "\n"
            + dev.turns.row("dev conversation turns")}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="finetunes per fraction")
    parser.add_argument("--full-runs", type=int, default=1, help="full trainings")
    parser.add_argument("--fractions", type=float, nargs="+",
                        default=[training.FINETUNE_EPOCH_FRACTION])
    parser.add_argument("--paraphrases", type=int, default=10)
    parser.add_argument("--evaluate", action="store_true", help="score every model (slow)")
    parser.add_argument("--keep", type=Path, help="keep the models in this folder")
    args = parser.parse_args(argv)

    project_model = training.ensure_model(quiet=True)
    work = Path(tempfile.mkdtemp(prefix="gongkai-training-time-"))
    try:
        copy_inputs(work)
        (work / "models").mkdir(exist_ok=True)
        assert training.fingerprint(work) == training.fingerprint(ROOT), "the copy differs"
        base = work / "models" / project_model.name
        os.link(project_model, base)
        training.write_inputs_record(base, work)
        added = dev_paraphrases(args.paraphrases)
        from bot.feedback import review
        for faq_id, text in added:
            review.add_paraphrases(work / "data" / "kb", faq_id, [text])
        build_data.build(work)
        print(f"{len(added)} paraphrases added to {len({f for f, _ in added})} FAQs; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)

        models: dict[str, Path] = {"base (before the paraphrases)": base}
        times: dict[str, list[float]] = {}
        cpus: dict[str, list[float]] = {}
        for fraction in args.fractions:
            name = f"finetune, epoch fraction {fraction}"
            for run in range(args.runs):
                target = work / "models" / f"finetune-{round(fraction * 100)}pct-{run}.tar.gz"
                mode, seconds, cpu = timed_training(target, work, base, fraction)
                assert mode == training.FINETUNE, f"Rasa refused to finetune ({mode})"
                times.setdefault(name, []).append(seconds)
                cpus.setdefault(name, []).append(cpu)
                models.setdefault(name, target)
                print(f"{name}, run {run + 1}: {seconds:.0f} s wall, {cpu:.0f} s CPU "
                      f"(load {os.getloadavg()[0]:.1f})", flush=True)
        for run in range(args.full_runs):
            target = work / "models" / f"full-{run}.tar.gz"
            mode, seconds, cpu = timed_training(target, work, None, 1.0)
            times.setdefault("full training", []).append(seconds)
            cpus.setdefault("full training", []).append(cpu)
            models.setdefault("full training", target)
            print(f"full training, run {run + 1}: {seconds:.0f} s wall, {cpu:.0f} s CPU "
                  f"(load {os.getloadavg()[0]:.1f})", flush=True)

        full_wall = statistics.median(times["full training"]) if "full training" in times else None
        full_cpu = statistics.median(cpus["full training"]) if "full training" in cpus else None
        print("\n| training | runs | median wall s | median CPU s | wall / full | CPU / full |\n"
              "| --- | --- | --- | --- | --- | --- |")
        for name, values in times.items():
            wall, cpu = statistics.median(values), statistics.median(cpus[name])
            ratios = (f"{wall / full_wall:.2f} | {cpu / full_cpu:.2f}" if full_wall and full_cpu
                      else "– | –")
            print(f"| {name} | {len(values)} | {wall:.0f} | {cpu:.0f} | {ratios} |")

        if args.evaluate:
            for name, model in models.items():
                figures = scores(model)
                print(f"\n### {name}\n\n{figures['replies']}\n{figures['dev']}", flush=True)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for model in models.values():
                shutil.copy2(model, args.keep / model.name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
