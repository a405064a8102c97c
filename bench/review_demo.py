"""The weekly review loop end to end, with one real retrain (a few minutes):

    .venv/bin/python bench/review_demo.py            (restores data/kb afterwards)
    .venv/bin/python bench/review_demo.py --keep     (keeps the three new paraphrases)

1. The current model serves (real action server + Rasa server, temporary database and tracker
   store); citizens ask QUESTIONS over REST. The assistant is unsure about the first three.
2. The review queue groups what was recorded; the three groups become paraphrases of existing
   answers through ``bot.feedback.review.add_paraphrases`` — what the desk's 「加为问法」 button
   calls — written to data/kb and checked by the validator.
3. ``gongkai train`` (what ``make train`` runs) retrains; the time is printed.
4. The new model serves; the same questions are asked again by new citizens.
5. The analytics of both runs (``bot.feedback.analytics``, the numbers of /desk/analytics) and the
   held-out accuracy (``make evaluate``) before and after are printed as a Markdown table.
"""
from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.content import knowledge  # noqa: E402
from bot.core import clock, db  # noqa: E402
from bot.core.bootstrap import Root  # noqa: E402
from bot.tooling import build_data, evaluation, servers, training  # noqa: E402
from bot.feedback import analytics, review  # noqa: E402
from bot.feedback.store import FeedbackStore  # noqa: E402
from tests.support import say, texts  # noqa: E402

# question → the FAQ it should have been answered with (the first three: measured unsure)
FIXES = {"要给钱吗办这个": "fee_principle", "能不能寄信申请": "how_to_submit",
         "申请书哪里下载": "application_form"}
QUESTIONS = [*FIXES, "申请信息公开多久答复？", "可以打电话申请公开吗", "需要带身份证吗"]


def run_week(model: Path, work: Path, label: str) -> dict:
    """Start the servers on ``model``, ask every question as a new citizen, read the analytics."""
    work.mkdir(parents=True)
    database_url = f"sqlite:///{work / 'gongkai.db'}"
    db.upgrade(database_url)
    env = {**training.rasa_env(), "GONGKAI_DATABASE_URL": database_url}
    action_port, rasa_port = servers.free_port(), servers.free_port()
    endpoints = servers.write_endpoints(work / "endpoints.yml", action_port, work / "tracker.db")
    actions = servers.start_action_server(action_port, work / "actions.log", env=env)
    rasa = servers.start_rasa_server(rasa_port, model, endpoints, work / "rasa.log", env=env)
    answers = {}
    try:
        actions.wait_ready()
        rasa.wait_ready()
        for question in QUESTIONS:
            reply = texts(say(f"http://127.0.0.1:{rasa_port}", f"{label}-{uuid.uuid4().hex}", question))
            answers[question] = "您是不是想问" not in reply and "没有完全理解" not in reply
    finally:
        rasa.stop()
        actions.stop()
    today = clock.today()
    root = Root(database_url=database_url)
    report = analytics.build(today, today, root.engine(), tracker=root.engine(f"sqlite:///{work / 'tracker.db'}"))
    root.dispose()
    return {"answers": answers, "report": report, "database_url": database_url}


def heldout(model: Path) -> str:
    result = evaluation.evaluate(evaluation.parse_with_agent(model), evaluation.load_questions())
    return f"top-1 {result.top1_accuracy:.1%}, top-3 {result.top3_accuracy:.1%}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the new paraphrases in data/kb")
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="review-demo-"))
    backup = scratch / "kb-backup"
    shutil.copytree(knowledge.KB_DIR, backup)
    try:
        before_model = training.ensure_model(quiet=True)
        shutil.copy2(before_model, scratch / before_model.name)  # training removes other models
        before = run_week(before_model, scratch / "before", "before")
        before_accuracy = heldout(before_model)

        store = FeedbackStore.from_url(before["database_url"])
        groups = review.group_items(store.open_items())
        print(f"review queue: {len(groups)} group(s): " + "；".join(g.label for g in groups))
        for group in groups:
            faq_id = FIXES.get(group.label)
            if faq_id:
                added = review.add_paraphrases(knowledge.KB_DIR, faq_id, group.questions)
                store.resolve(group.ids, "paraphrase", "demo", clock.now(), faq_id)
                print(f"  「{group.label}」 → {faq_id}: added {added}")

        started = time.monotonic()
        after_model = training.ensure_model(quiet=True)  # = make train
        train_seconds = time.monotonic() - started
        after = run_week(after_model, scratch / "after", "after")
        after_accuracy = heldout(after_model)
    finally:
        if not args.keep:
            shutil.rmtree(knowledge.KB_DIR)
            shutil.copytree(backup, knowledge.KB_DIR)
            build_data.build()
            for saved in scratch.glob("gongkai-*.tar.gz"):  # the model of the restored data
                shutil.copy2(saved, training.MODELS_DIR / saved.name)
    b, a = before["report"], after["report"]
    print()
    print("| | before | after |")
    print("| --- | --- | --- |")
    for question in QUESTIONS:
        mark = {True: "answered", False: "「您是不是想问」/未听懂"}
        print(f"| {question} | {mark[before['answers'][question]]} | {mark[after['answers'][question]]} |")
    print(f"| unanswered rate (fallback + 您是不是想问) | {(b.fallbacks + b.unsure)}/{b.questions} "
          f"| {(a.fallbacks + a.unsure)}/{a.questions} |")
    print(f"| held-out accuracy (make evaluate) | {before_accuracy} | {after_accuracy} |")
    print(f"\nretrain (gongkai train = make train): {train_seconds:.0f} s; model {after_model.name}; "
          f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC")
    return 0


if __name__ == "__main__":
    sys.exit(main())
