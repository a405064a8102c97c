"""The windowed tracker store (bot/serving/tracker_store.py) changes no conversation, through the real
servers: an assistant whose store keeps four turns (window_turns=4: the held-out conversations of
five turns cross the window's edge; see WINDOW for why not fewer) against an assistant whose window
(20 turns, the product's) is longer than any conversation here, so that it retrieves whole sessions
as Rasa's own store does. Both start this module on a fresh database (the session's shared
`assistant` has spent case look-ups and per-address attempts on other tests, which changes look-up
answers; those counts are in the database) and run the same model with the same pinned day and
evening: the windowed one is started for this module, the whole one is the session's Rasa server
with its action server restarted on the fresh database."""
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest
import yaml

from bot.handoff import transcript
from bot.tooling import evaluation, servers
from tests.support import get_json, post_json, say, texts
from tests.support.assistant import DEMO_CASES, demo_database, running_assistant

pytestmark = pytest.mark.servers

# Follow-ups reach back to the turn that set their topic: after a case look-up (「查询进度」, the
# number, the code) 「对这个答复不满意」 needs the three turns before it, so the window tested is four
# turns (the product keeps twenty): the held-out conversations of five turns cross its edge.
WINDOW = 4
WHOLE = 20  # the product's window: longer than any held-out conversation
# The hand-off conversation's last question comes five turns after the last answer (three
# messages while paused, the thanks): with four turns its topic is outside the window, so it is
# a conversation's first question (actions/faq.py: the wording classifier may answer it) where the
# whole session asks. A window of all its eight turns compares the hand-off itself.
HANDOFF_WINDOW = 8


@pytest.fixture(scope="module")
def windowed(tmp_path_factory):
    with running_assistant(tmp_path_factory.mktemp("windowed"), window_turns=WINDOW) as running:
        yield running


@pytest.fixture(scope="module")
def windowed_handoff(tmp_path_factory):
    with running_assistant(tmp_path_factory.mktemp("windowed-handoff"),
                           window_turns=HANDOFF_WINDOW) as running:
        yield running


@pytest.fixture(scope="module")
def whole(assistant, tmp_path_factory):
    """The session's assistant, whose window is the product's (WHOLE), with its action server on a
    fresh database of the demo cases: the look-up counts are kept there, so its answers are those
    of a fresh assistant, and its Rasa server (~20 s of CPU to start) is shared."""
    assert servers.WINDOW_TURNS == WHOLE  # running_assistant's default window
    work = tmp_path_factory.mktemp("whole")
    with assistant.actions_with({"GONGKAI_DATABASE_URL": demo_database(work)},
                                work / "actions.log") as running:
        yield running


def demo_code(number: str) -> str:
    cases = json.loads(DEMO_CASES.read_text(encoding="utf-8"))
    cases = cases["cases"] if isinstance(cases, dict) else cases
    return next(c["query_code"] for c in cases if c["case_number"] == number)


def full_tracker(assistant, sender: str) -> dict:
    status, tracker = get_json(f"{assistant.rasa_url}/conversations/{quote(sender, safe='')}"
                               "/tracker?include_events=ALL")
    assert status == 200, tracker
    return tracker


def test_a_form_opened_before_the_window_completes(windowed):
    sender = f"window-form-{uuid.uuid4().hex[:8]}"
    say(windowed.rasa_url, sender, "市审批局几点上班")
    asked = texts(say(windowed.rasa_url, sender, "我的申请到哪一步了"))
    assert "申请编号" in asked
    asked = texts(say(windowed.rasa_url, sender, "ZBSP-2026-0101"))
    assert "查询码" in asked
    # not a query code: asked again, the form stays active
    for _ in range(3):
        assert "没有认出查询码" in texts(say(windowed.rasa_url, sender, "1234"))
    # the form was opened five turns ago: outside the four-turn window that answers the code
    reply = texts(say(windowed.rasa_url, sender, demo_code("ZBSP-2026-0101")))
    assert "当前进度：已受理" in reply  # as tests/system/conversations/test_case_status.py (demo case 0101)
    assert "依法应于2026年12月18日前答复" in reply  # received 2026-11-20 (Fri), hand-checked there
    users = [e["text"] for e in full_tracker(windowed, sender)["events"] if e["event"] == "user"]
    assert users == ["市审批局几点上班", "我的申请到哪一步了", "ZBSP-2026-0101", "1234", "1234", "1234",
                     demo_code("ZBSP-2026-0101")]  # every turn stored, once


def handoff_conversation(assistant) -> dict:
    """Questions, a hand-off the desk opens and closes through Rasa's API as the desk does
    (bot/handoff/delivery.py), messages while paused, and questions after it; the full tracker."""
    sender = f"window-handoff-{uuid.uuid4().hex[:8]}"
    events_url = f"{assistant.rasa_url}/conversations/{quote(sender, safe='')}/tracker/events"
    for question in ("申请公开需要多长时间", "要收费吗", "可以网上申请吗"):
        say(assistant.rasa_url, sender, question)
    status, _ = post_json(events_url, [{"event": "pause"}])
    assert status == 200
    for waiting in ("有人吗", "我等一下", "请尽快"):
        assert say(assistant.rasa_url, sender, waiting) == []  # paused: the bot is silent
    agent = transcript.desk_metadata("agent1", "王老师")
    status, _ = post_json(events_url, [{"event": "bot", "text": "您好，我是王老师。", "metadata": agent},
                                       {"event": "resume"},
                                       {"event": "bot", "text": "对话已转回助手。",
                                        "metadata": transcript.desk_metadata()}])
    assert status == 200
    for question in ("谢谢", "答复不满意可以复议吗"):  # a new topic: its feedback prompt is due
        say(assistant.rasa_url, sender, question)
    return full_tracker(assistant, sender)


def people_read(tracker: dict) -> list:
    return [(e.kind, e.text, e.agent) for e in transcript.entries(tracker)]


def test_the_hand_off_transcript_is_unchanged(windowed_handoff, whole):
    ours, reference = handoff_conversation(windowed_handoff), handoff_conversation(whole)
    assert people_read(ours) == people_read(reference)
    assert people_read(transcript.handoff_window(ours, 1)) == \
        people_read(transcript.handoff_window(reference, 1))
    # by hand: 3 questions, 3 messages while paused, 2 after the hand-off; the agent's reply
    kinds = [kind for kind, _, _ in people_read(ours)]
    assert kinds.count("user") == 8 and kinds.count("agent") == 1 and kinds.count("notice") == 1
    assert [e["event"] for e in ours["events"]] == [e["event"] for e in reference["events"]]


def test_the_held_out_conversations_have_the_same_outcomes(windowed, whole):
    # the two servers at once: each Rasa server works on one core, and the sets are independent
    with ThreadPoolExecutor(2) as pool:
        ours, reference = pool.map(lambda assistant: evaluation.evaluate_conversations(
            evaluation.RestClient(assistant.rasa_url)), (windowed, whole))
    assert len(ours.results) == len(reference.results) > 100  # the set's scored turns
    assert max(len(c["turns"]) for c in yaml.safe_load(
        evaluation.CONVERSATIONS.read_text(encoding="utf-8"))["conversations"]) < WHOLE  # whole sessions
    changed = [(a.item, a.outcome, b.outcome) for a, b in zip(ours.results, reference.results)
               if (a.item, a.outcome) != (b.item, b.outcome)]
    assert changed == []
