"""How long a paraphrase added on the review page takes to be answered (issue 17, item 3), with no
training: the running Rasa and action servers, a copy of data/kb served to both
(GONGKAI_KB_DIR), the paraphrase added as the 「加为问法」 button adds it
(``review.add_paraphrases``), then the same question asked every 0.2 s by a new citizen until
the reply is the FAQ's answer.

    .venv/bin/python bench/live_paraphrase.py [--model models/gongkai-….tar.gz]

The question is answered through bot.nlp.components.KnownQuestionClassifier (word for word) and
the served knowledge base's reload (knowledge.RELOAD_CHECK_SECONDS); a finetune that teaches the
model the paraphrase's neighbours is measured by bench/training_time.py.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.content import knowledge  # noqa: E402
from bot.core import db  # noqa: E402
from bot.feedback import review  # noqa: E402
from bot.tooling import servers, training  # noqa: E402
from tests.support import say, texts  # noqa: E402

# Written for this benchmark (in no FAQ of data/kb): colloquial and dialect questions → the FAQ a
# staff member would add them to. The model's own reply before is printed, not assumed.
ADDED = {"恁那儿的座机是多少": "contact_info", "俺要的材料他们说压根没有咋整": "info_not_exist",
         "要是俺不服他们给的答复能告他们不": "litigation"}
GIVE_UP = 30.0  # seconds


def answered(reply: str, answer: str) -> bool:
    """The reply carries the FAQ's answer (its first line, as rendered for the default agency)."""
    return answer.splitlines()[0] in reply


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a trained model (default: the current one)")
    args = parser.parse_args(argv)
    model = args.model or training.ensure_model(quiet=True)
    work = Path(tempfile.mkdtemp(prefix="live-paraphrase-"))
    kb_dir = work / "kb"
    shutil.copytree(knowledge.KB_DIR, kb_dir)
    database_url = f"sqlite:///{work / 'gongkai.db'}"
    db.upgrade(database_url)
    env = {**training.rasa_env(), "GONGKAI_DATABASE_URL": database_url, "GONGKAI_KB_DIR": str(kb_dir)}
    action_port, rasa_port = servers.free_port(), servers.free_port()
    endpoints = servers.write_endpoints(work / "endpoints.yml", action_port, work / "tracker.db")
    actions = servers.start_action_server(action_port, work / "actions.log", env=env)
    rasa = servers.start_rasa_server(rasa_port, model, endpoints, work / "rasa.log", env=env)
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    kb = knowledge.load(kb_dir)
    agency = next(iter(kb.agencies))
    seconds = []
    try:
        actions.wait_ready()
        rasa.wait_ready()
        print("| question | FAQ | before: answered with it | seconds until answered |")
        print("| --- | --- | --- | --- |")
        for question, faq_id in ADDED.items():
            answer = kb.render(faq_id, agency).text
            before = answered(texts(say(rasa_url, f"live-{uuid.uuid4().hex}", question)), answer)
            review.add_paraphrases(kb_dir, faq_id, [question])
            started = time.monotonic()
            while time.monotonic() - started < GIVE_UP:
                if answered(texts(say(rasa_url, f"live-{uuid.uuid4().hex}", question)), answer):
                    break
                time.sleep(0.2)
            took = time.monotonic() - started
            seconds.append(took)
            print(f"| {question} | {faq_id} | {'yes' if before else 'no'} | "
                  f"{took:.1f}{' (gave up)' if took >= GIVE_UP else ''} |")
    finally:
        rasa.stop()
        actions.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nmedian {statistics.median(seconds):.1f} s; model {model.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
