"""The dialogue logic's development conversations (bench/dev/conversations.yml) through the real
Rasa and action servers, scored exactly as `gongkai evaluate` scores the held-out conversations
(bot/tooling/evaluation.py): answered right / asked / answered wrong, whole conversations and turns.

    .venv/bin/python bench/dev_conversations.py [--model models/gongkai-….tar.gz] [--verbose]
    .venv/bin/python bench/dev_conversations.py --rasa http://127.0.0.1:5005   # servers already up
    .venv/bin/python bench/dev_conversations.py --file bench/dev/citizen_conversations.yml

The follow-ups were fixed against these conversations, so their figures are optimistic: the
honest figures are the held-out set's (`gongkai evaluate`). With --rasa, the running action server
must have the demo cases loaded and GONGKAI_TODAY set to the file's `today`.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.tooling import evaluation, training  # noqa: E402

DEV_CONVERSATIONS = ROOT / "bench" / "dev" / "conversations.yml"


def report(rasa_url: str, verbose: bool, conversations: Path = DEV_CONVERSATIONS) -> None:
    result = evaluation.evaluate_conversations(evaluation.RestClient(rasa_url), conversations)
    print(result.items.row("dev conversations, whole"))
    print(result.turns.row("dev conversation turns"))
    for failure in result.failures:
        offered = f" (option {failure.right_option} of {len(failure.options)} right)" if failure.right_option else ""
        print(f"- {failure.item} {failure.outcome}: {failure.user} → {'；'.join(failure.problems)}{offered}")
        if verbose:
            print("    " + failure.reply.replace("\n", "\n    "))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a trained model (default: the current one)")
    parser.add_argument("--rasa", help="use this running Rasa server instead of starting one")
    parser.add_argument("--file", type=Path, default=DEV_CONVERSATIONS,
                        help="a conversation set in the held-out format (default: %(default)s)")
    parser.add_argument("--verbose", action="store_true", help="print the replies of failed turns")
    args = parser.parse_args(argv)
    if args.rasa:
        report(args.rasa, args.verbose, args.file)
        return 0
    model = args.model or training.ensure_model(quiet=True)
    with evaluation.running_assistant(model) as rasa_url:
        report(rasa_url, args.verbose, args.file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
