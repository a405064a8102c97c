"""Which NLU pipeline: the project's spaCy pipeline (config.yml) or Rasa's JiebaTokenizer
(bench/config_jieba.yml)? Trains an NLU-only model with each from scratch and scores both on the
held-out set (bot.tooling.evaluation). Writes the table to docs/benchmarks.md ("NLU pipeline comparison").

    .venv/bin/python bench/compare_pipelines.py        (~15 min on 2 cores)
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import write_section  # noqa: E402
from bot.content import knowledge  # noqa: E402
from bot.nlp.spacy_zh import read_words  # noqa: E402
from bot.tooling import build_data, evaluation, training  # noqa: E402


def jieba_config(work: Path) -> Path:
    """bench/config_jieba.yml with a jieba user dictionary made of the same domain words."""
    dictionary = work / "jieba_dict"
    dictionary.mkdir()
    kb = knowledge.load()
    words = read_words() + [n for names in build_data.agency_names(kb).values() for n in names]
    (dictionary / "domain.txt").write_text("".join(f"{w} 100000\n" for w in words), encoding="utf-8")
    config = work / "config_jieba.yml"
    config.write_text((ROOT / "bench" / "config_jieba.yml").read_text(encoding="utf-8")
                      .replace("DICTIONARY_DIR", str(dictionary)), encoding="utf-8")
    return config


def train_nlu(config: Path, work: Path) -> tuple[float, Path]:
    out = work / config.stem
    env = training.rasa_env()
    env["RASA_CACHE_DIRECTORY"] = str(work / f"cache-{config.stem}")
    start = time.perf_counter()
    subprocess.run([training.rasa_executable(), "train", "nlu", "--nlu", "data/nlu", "--config",
                    str(config), "--domain", "domain", "--out", str(out)],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, next(out.glob("*.tar.gz"))


def main() -> None:
    build_data.build()
    work = Path(tempfile.mkdtemp(prefix="compare-"))
    questions = evaluation.load_questions()
    rows = []
    for name, config in (("spaCy blank zh + jieba + domain dictionary + entity ruler + AgencyMasker (config.yml)",
                          ROOT / "config.yml"),
                         ("Rasa JiebaTokenizer + same domain dictionary (bench/config_jieba.yml)",
                          jieba_config(work))):
        seconds, model = train_nlu(config, work)
        report = evaluation.evaluate(evaluation.parse_with_agent(model), questions)
        rows.append(f"| {name} | {seconds:.0f} s | {report.top1_accuracy:.1%} | {report.top3_accuracy:.1%} |")
        print(rows[-1], flush=True)
    table = "\n".join([f"Held-out questions scored: {report.total}. Command: "
                       "`.venv/bin/python bench/compare_pipelines.py`.", "",
                       "| pipeline | NLU train time | held-out top-1 | held-out top-3 |",
                       "| --- | --- | --- | --- |", *rows])
    print(table)
    write_section("NLU pipeline comparison", table)


if __name__ == "__main__":
    main()
