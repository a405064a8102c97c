"""`gongkai run` keeps serving when one of its servers dies (issue 12, Critical #1: a single request
made Rasa's SQL tracker store call sys.exit(1), and `gongkai run` then stopped the action server
and the web app too). Here the real `gongkai run` is started on free ports and its Rasa server is
killed with SIGKILL: the supervisor starts it again while the action server and the web app keep
answering; SIGTERM still stops everything.

The back-off schedule is checked on the real Supervisor with real (short-lived) processes and an
injected clock, so no assertion depends on timing."""
from __future__ import annotations

import logging
import os
import signal
import time
import uuid

import pytest

from bot.tooling import servers
from tests.support import gongkai_run
from tests.support.gongkai_run import answers, status_ok

pytestmark = pytest.mark.servers

RESTART_WAIT = 900.0  # seconds: generous, Rasa reloads its model on a busy shared machine


def test_a_killed_rasa_server_is_started_again_while_the_others_keep_answering(run):
    sender = f"supervision-{uuid.uuid4().hex[:8]}"
    assert answers(run, sender, "申请信息公开多久答复？")
    before = run.children()
    assert set(before) == {"actions", "rasa", "web"}, before

    os.kill(before["rasa"], signal.SIGKILL)
    deadline = time.monotonic() + RESTART_WAIT
    checks = 0
    while True:
        # the others never stopped: every round, both still answer
        assert status_ok(f"{run.action_url}/health") and status_ok(f"{run.web_url}/health")
        checks += 1
        rasa = run.children().get("rasa")
        if rasa not in (None, before["rasa"]) and status_ok(f"{run.rasa_url}/status?token={run.token}"):
            break
        assert time.monotonic() < deadline, run.output()
        time.sleep(2)
    # Rasa needs far more than one round to load its model: the others were seen up while it was down
    assert checks >= 2
    assert run.popen.poll() is None
    # the same conversation goes on with the new process (the tracker is on disk)
    assert answers(run, sender, "申请信息公开收费吗")
    after = run.children()
    assert after["actions"] == before["actions"] and after["web"] == before["web"]
    log = (run.var / "log" / "run.log").read_text()
    assert "Rasa server exited with code -9" in log and "Rasa server started again" in log


def test_a_killed_action_server_comes_back_too(run):
    before = run.children()
    os.kill(before["actions"], signal.SIGKILL)
    deadline = time.monotonic() + RESTART_WAIT
    while not (run.children().get("actions") not in (None, before["actions"])
               and status_ok(f"{run.action_url}/health")):
        assert status_ok(f"{run.web_url}/health")
        assert time.monotonic() < deadline, run.output()
        time.sleep(1)
    assert answers(run, f"supervision-{uuid.uuid4().hex[:8]}", "申请信息公开多久答复？")


def test_sigterm_stops_every_server(run):
    children = run.children()
    assert set(children) == {"actions", "rasa", "web"}
    gongkai_run.stop_shared()
    assert run.popen.returncode == 0
    assert not [pid for pid in children.values() if gongkai_run._alive(pid)]


class ManualClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_restart_delays_grow_and_reset_once_a_child_stays_up(tmp_path, caplog):
    """A child that exits at once on every start is restarted after 1, 2, 5 s… (RESTART_DELAYS);
    once one stays up STABLE_AFTER seconds, its next failure waits 1 s again."""
    clock = ManualClock()
    failing = servers._spawn("failing", ["sh", "-c", "exit 3"], "http://127.0.0.1:9/", tmp_path / "f.log")
    supervisor = servers.Supervisor([failing], logging.getLogger("test.supervisor"),
                                    delays=(1.0, 2.0, 5.0), stable_after=100.0, clock=clock)
    seen_delays = []
    caplog.set_level(logging.INFO, logger="test.supervisor")
    for _ in range(4):
        failing.popen.wait(30)
        supervisor.check()  # notices the exit, schedules the restart
        record = caplog.records[-1]
        assert record.levelno == logging.ERROR and "exited with code 3" in record.getMessage()
        seen_delays.append(supervisor._due["failing"] - clock.now)
        clock.now = supervisor._due["failing"]
        supervisor.check()  # due: started again
        assert "started again" in caplog.records[-1].getMessage()
    assert seen_delays == [1.0, 2.0, 5.0, 5.0]  # the schedule given, its last step repeated

    # now the command stays up long enough: the count resets
    failing.command = ["sh", "-c", "sleep 600"]
    failing.popen.wait(30)
    supervisor.check()
    clock.now = supervisor._due["failing"]
    supervisor.check()
    assert failing.popen.poll() is None
    clock.now += 100.0
    supervisor.check()  # up for stable_after: healthy again
    failing.popen.kill()
    failing.popen.wait(30)
    supervisor.check()
    assert supervisor._due["failing"] - clock.now == 1.0
    failing.stop()
