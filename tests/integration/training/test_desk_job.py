"""The desk's background training job, one at a time (bot.tooling.training.start_desk_job): the
lock is taken before the job's process starts, so a second 「开始训练」 at once is refused; a job
that fails says why in its status and releases the lock. (A real run: tests/system/desk/
test_desk_training.py.)"""
from __future__ import annotations

import os
import time

from bot.tooling import training


def test_one_job_at_a_time_and_a_failure_is_reported(tmp_path):
    root = tmp_path / "project"  # no data/kb: the job fails at its first step
    root.mkdir()
    env = {**os.environ, "GONGKAI_RASA_URL": "http://127.0.0.1:9"}
    assert training.start_desk_job(root, env)
    assert training.is_running(root)  # at once, while the job's Python is still starting
    assert not training.start_desk_job(root, env)
    deadline = time.monotonic() + 120
    while training.is_running(root) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not training.is_running(root)
    status = training.read_status(root)
    assert status["state"] == training.FAILED and status["error"], status
    assert training.start_desk_job(root, env)  # free again
    while training.is_running(root) and time.monotonic() < deadline:
        time.sleep(0.5)
