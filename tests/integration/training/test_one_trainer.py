"""Two processes that need the model at once (the test workers, `make run` beside
`gongkai evaluate`) do not train it twice side by side: ensure_model lets one through at a time.
The training itself is replaced by a stand-in that records when it runs (the real training is
tests/system/desk/test_desk_training.py); the lock is the real file lock."""
from __future__ import annotations

import threading
import time

from bot.tooling import training


def test_a_second_caller_waits_until_the_first_has_finished(monkeypatch):
    order: list[str] = []

    def stand_in(force, quiet, finetune):
        order.append("start")
        time.sleep(0.3)  # long enough for the other thread to reach the lock meanwhile
        order.append("end")
        return training.PROJECT_ROOT / "models" / "stand-in.tar.gz"

    monkeypatch.setattr(training, "_ensure_model", stand_in)
    callers = [threading.Thread(target=training.ensure_model) for _ in range(2)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(timeout=10)
    # without the lock the two would overlap: start, start, end, end
    assert order == ["start", "end", "start", "end"]
