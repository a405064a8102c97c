"""Agents see only the hand-off (issue 12, Medium #7): any agent could open any hand-off, ended
ones included, the transcript showed the whole tracker — later verified case look-ups too — and
nobody knew who had looked. Through the real action server, Rasa server and web app (the hand-off
`stack`): the transcript is limited to the hand-off's window, an ended hand-off opens only to the
agent who served it or, with a written reason, to another, and every reading is recorded."""
from __future__ import annotations

import uuid

import pytest

from bot.desk.audit import ViewLog
from bot.handoff.store import HandoffStore
from tests.support import say
from tests.support import stack as stack_module
from tests.support.webapp import Agent

pytestmark = pytest.mark.servers

BEFORE = "申请信息公开多久答复？"
LATER = ("查询进度", "ZBSP-2026-0101", "0001")  # a case look-up after the hand-off ended


def agent(stack, username: str) -> Agent:
    desk = Agent(stack.web_url)
    assert desk.login(username, stack_module.PASSWORD).status_code == 303
    return desk


def transcript(desk: Agent, handoff_id: int):
    answer = desk.get(f"/desk/handoffs/{handoff_id}/conversation.json")
    assert answer.status_code == 200, answer.text
    return [(e["kind"], e["text"]) for e in answer.json()["transcript"]["entries"]]


def test_only_the_handoffs_window_and_ended_ones_need_a_reason(stack):
    li, wang = agent(stack, "li"), agent(stack, "wang")
    sender = f"access-{uuid.uuid4().hex[:10]}"
    say(stack.rasa_url, sender, BEFORE)
    say(stack.rasa_url, sender, "转人工")
    record = HandoffStore.from_url(stack.database_url).open_for(sender)
    assert li.post(f"/desk/handoffs/{record.id}/take").status_code == 200
    assert li.post(f"/desk/handoffs/{record.id}/reply", {"text": "您好，20个工作日内答复。"}).status_code == 200
    # while it is open, every agent on duty may read it (they share the queue)
    assert wang.get(f"/desk/handoffs/{record.id}/conversation.json").status_code == 200
    assert li.post(f"/desk/handoffs/{record.id}/close", {"note": "已解答"}).status_code == 200
    for text in LATER:
        say(stack.rasa_url, sender, text)

    # the agent who served it: the session up to the hand-off's end, nothing after
    entries = transcript(li, record.id)
    said = [text for kind, text in entries if kind == "user"]
    assert said == [BEFORE, "转人工"], entries
    assert ("agent", "【人工客服·李明】您好，20个工作日内答复。") in entries
    assert any("已为您转回智能助手" in text for kind, text in entries if kind == "notice")
    assert not [text for _, text in entries if "ZBSP-2026-0101" in text]

    # another agent: refused, until they write why
    assert wang.get(f"/desk/handoffs/{record.id}/conversation.json").status_code == 403
    assert wang.get(f"/desk/handoffs/{record.id}/stream").status_code == 403
    page = wang.get(f"/desk/handoffs/{record.id}")
    assert page.status_code == 403 and "查看原因" in page.text and BEFORE not in page.text
    assert wang.post(f"/desk/handoffs/{record.id}/access", {"reason": "看看"}).status_code == 400
    reason = "群众来电要求复核处理情况"
    assert wang.post(f"/desk/handoffs/{record.id}/access", {"reason": reason}).status_code == 303
    assert [text for kind, text in transcript(wang, record.id) if kind == "user"] == [BEFORE, "转人工"]
    assert wang.get(f"/desk/handoffs/{record.id}").status_code == 200

    # every reading is on record, and staff can see the record
    views = ViewLog.from_url(stack.database_url).recent(handoff_id=record.id)
    assert {v.agent for v in views} == {"li", "wang"}
    # wang's readings: one while it was open (no reason needed), then the one under the reason
    assert sorted([v.reason or "" for v in views if v.agent == "wang"]) == ["", reason]
    listing = li.get(f"/desk/views?handoff={record.id}")
    assert listing.status_code == 200
    assert "王芳（wang）" in listing.text and "李明（li）" in listing.text and reason in listing.text


def test_a_second_handoff_of_the_conversation_shows_its_own_window(stack):
    li = agent(stack, "li")
    sender = f"access-{uuid.uuid4().hex[:10]}"
    say(stack.rasa_url, sender, "转人工")
    store = HandoffStore.from_url(stack.database_url)
    first = store.open_for(sender)
    assert li.post(f"/desk/handoffs/{first.id}/close", {"note": "已电话联系"}).status_code == 200
    say(stack.rasa_url, sender, "申请行政复议要在多长时间内提出？")
    say(stack.rasa_url, sender, "找客服")
    second = store.open_for(sender)
    assert second.id != first.id
    assert [t for k, t in transcript(li, first.id) if k == "user"] == ["转人工"]
    # the second starts from the same session, so it shows the first as context, then its own
    assert [t for k, t in transcript(li, second.id) if k == "user"] == [
        "转人工", "申请行政复议要在多长时间内提出？", "找客服"]
