"""CPU of one policy prediction (Rasa's `_predict_next_with_tracker`) for trained models, on a
tracker of ten answered FAQ turns: what the dialogue policies cost per prediction (a turn makes two:
the answering action, then action_listen).

    .venv/bin/python bench/policy_prediction.py models/A.tar.gz models/B.tar.gz [--calls 300]

Each model is loaded in turn as the server loads it; 20 uncounted calls, then ``--calls`` timed by
process CPU time. The predicted action and policy are printed too: an A/B comparison of two policy
configurations must predict the same.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def ten_turn_tracker(domain):
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    events = [ActionExecuted("action_session_start"), ActionExecuted("action_listen")]
    for turn in range(10):
        events += [UserUttered(f"问题{turn}", {"name": "faq", "confidence": 0.9}),
                   ActionExecuted("action_answer_faq"), BotUttered(f"答复{turn}"),
                   SlotSet("topic", "reply_deadline"), ActionExecuted("action_listen")]
    events.append(UserUttered("再问一个", {"name": "faq", "confidence": 0.9}))
    return DialogueStateTracker.from_events("bench", events, slots=domain.slots)


async def measure(model: Path, calls: int) -> str:
    import logging

    from rasa.core.agent import load_agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.INFO)  # as the server runs: debug records are built, not written

    agent = await load_agent(model_path=str(model))
    tracker = ten_turn_tracker(agent.domain)
    for _ in range(20):
        agent.processor._predict_next_with_tracker(tracker)
    start = time.process_time()
    for _ in range(calls):
        prediction = agent.processor._predict_next_with_tracker(tracker)
    per_call = (time.process_time() - start) / calls * 1000
    action = agent.domain.action_names_or_texts[prediction.max_confidence_index]
    return f"{model.name}: {per_call:.2f} ms CPU per prediction → {action} ({prediction.policy_name})"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", type=Path, nargs="+")
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args(argv)
    for model in args.models:
        print(asyncio.run(measure(model, args.calls)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
