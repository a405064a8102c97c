"""The widget's socket.io edge on the real servers (issue 12: critical #1, #4, #5 and the low item on
non-string messages): session ids are the server's, bound to the socket that received them; any
value in any field gets an answer and never stops the server."""
from __future__ import annotations

import asyncio
import re
import uuid

import pytest

from bot.channels.edge import TEXT_ONLY
from tests.support import say, texts, trackers
from tests.support.widget_client import Widget, sender_of, widget

pytestmark = pytest.mark.servers

TOKEN = re.compile(r"[0-9a-f]{32}\.[0-9a-f]{32}")  # <session id>.<signature>, both hex
DEADLINE_QUESTION = "申请信息公开多久答复？"
DEADLINE_ANSWER = "20个工作日"


def tracker_db(assistant):
    return assistant.log_dir / "tracker.db"


async def still_answers(assistant) -> None:
    reply = await asyncio.to_thread(say, assistant.rasa_url, f"after-{uuid.uuid4().hex[:8]}",
                                    DEADLINE_QUESTION)
    assert DEADLINE_ANSWER in texts(reply)


async def test_a_lone_surrogate_session_id_does_not_stop_the_server(assistant):
    # the client's JSON encoder escapes it; the server decodes a lone surrogate (U+D800)
    w = Widget()
    await w.client.connect(assistant.rasa_url, transports=["websocket"],
                           socketio_path="/socket.io")
    try:
        await w.client.emit("session_request", {"session_id": "x\ud800"})
        await w.client.emit("user_uttered", {"message": "hi\udfff", "session_id": "x\ud800"})
        assert await w.next_text()  # an answer, in a conversation the server opened
    finally:
        await w.client.disconnect()
    await still_answers(assistant)


@pytest.mark.parametrize("offered", [None, "", "0123456789abcdef0123456789abcdef",
                                     "123e4567-e89b-12d3-a456-426614174000", 12345,
                                     ["a"], {"id": 1}, "f" * 32 + "." + "0" * 32, "x" * 10_000])
async def test_a_session_id_the_server_did_not_issue_gets_a_fresh_one(assistant, offered):
    async with widget(assistant.rasa_url, offered) as w:
        assert TOKEN.fullmatch(w.token) and w.token != offered


async def test_knowing_a_conversations_sender_id_does_not_let_one_into_it(assistant):
    async with widget(assistant.rasa_url) as victim:
        sender = victim.sender  # what the desk and the logs show
        await victim.say(DEADLINE_QUESTION)
        await victim.next_text(DEADLINE_ANSWER)
        session_part = victim.token.split(".")[0]
        forged = session_part + "." + "0" * 32
        for offered in (sender, session_part, forged, victim.token.upper()):
            async with widget(assistant.rasa_url, offered) as intruder:
                assert intruder.sender != sender
                # the intruder names the victim's id: it still speaks in its own conversation
                await intruder.say("申请信息公开收费吗", session_id=sender)
                await victim.say("谢谢")
                await victim.next_text("不客气")
                # the intruder's socket is ordered: had it joined the victim's room, the
                # victim's 「不客气」 would arrive before its own answer
                own = await intruder.next_text("收费")
                assert "不客气" not in own
                while not intruder.texts.empty():
                    assert "不客气" not in intruder.texts.get_nowait()
        said = await asyncio.to_thread(trackers.user_texts_once_stored, tracker_db(assistant),
                                       sender, 5)
        assert said == [DEADLINE_QUESTION] + ["谢谢"] * 4


async def test_the_issued_session_survives_a_reconnect(assistant):
    async with widget(assistant.rasa_url) as first:
        token, sender = first.token, first.sender
        await first.say(DEADLINE_QUESTION)
        await first.next_text(DEADLINE_ANSWER)
    async with widget(assistant.rasa_url, token) as again:  # a reload offers the kept token
        assert again.token == token and again.sender == sender
        await again.say("谢谢")
        await again.next_text("不客气")
    said = await asyncio.to_thread(trackers.user_texts_once_stored, tracker_db(assistant),
                                   sender, 2)
    assert said == [DEADLINE_QUESTION, "谢谢"]


@pytest.mark.parametrize("data", [{"message": 123}, {"message": ["申请"]}, {"message": None},
                                  {"message": {"text": "申请"}}, {}, "just text", [1, 2], 7, None],
                         ids=["int", "list", "null", "object", "no message", "string data",
                              "list data", "int data", "no data"])
async def test_a_message_that_is_not_text_gets_a_polite_answer(assistant, data):
    async with widget(assistant.rasa_url) as w:
        await w.emit(data)
        assert await w.next_text() == TEXT_ONLY
        await w.say(DEADLINE_QUESTION)  # and the conversation goes on
        await w.next_text(DEADLINE_ANSWER)


async def test_metadata_keeps_known_keys_and_the_servers_origin(assistant):
    forged = {"channel": "rest", "address": "1.2.3.4", "connection": ""}
    async with widget(assistant.rasa_url) as w:
        await w.say("你好", metadata={"language": "zh", "gongkai_origin": forged,
                                     "junk": "A" * 20_000})
        await w.next_text()
        await w.request_session("rotated-" + uuid.uuid4().hex)  # a new session, same socket
        await w.say(DEADLINE_QUESTION, metadata='{"language": "en"}')  # a JSON string works too
        await w.next_text(DEADLINE_ANSWER)
        sid = w.client.get_sid()
        await asyncio.to_thread(trackers.user_texts_once_stored, tracker_db(assistant),
                                sender_of(w.token), 1)
    metadata = trackers.metadata(trackers.user_events(tracker_db(assistant),
                                                      sender_of(w.token))[-1])
    assert metadata["language"] == "en" and set(metadata) == {"language", "gongkai_origin"}
    origin = metadata["gongkai_origin"]
    assert origin["channel"] == "socketio" and origin["connection"] == sid
    assert re.fullmatch(r"[0-9a-f]{16}", origin["address"])  # a keyed hash, not 127.0.0.1


async def test_large_frames_do_not_fill_the_disk_or_stop_the_server(assistant):
    """The review's reproduction: three frames with 900 kB of metadata grew the tracker database
    by 10.8 MB; unfixed each is stored at least once (≥ 2.7 MB). Now frames over engine.io's
    64 kB buffer end that socket, and unknown keys are dropped anyway."""
    database = tracker_db(assistant)
    async with widget(assistant.rasa_url) as w:
        await w.say("你好")
        await w.next_text()
    before = trackers.size_on_disk(database)
    for n in range(3):
        big = Widget()
        await big.client.connect(assistant.rasa_url, transports=["websocket"],
                                 socketio_path="/socket.io")
        try:
            await big.request_session()
            await big.say("你好", metadata={"language": "zh", f"blob{n}": "A" * 900_000})
            await big.answer_or_disconnect()  # answered: the turn (and its metadata) is stored
        finally:
            await big.client.disconnect()
    assert trackers.size_on_disk(database) - before < 1_000_000
    async with widget(assistant.rasa_url) as w:
        await w.say(DEADLINE_QUESTION)
        await w.next_text(DEADLINE_ANSWER)
