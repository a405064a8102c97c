"""What the queue shows: masked, plain text."""
import datetime as dt

from bot.core.clock import CHINA
from bot.desk import present
from bot.handoff.state import Status
from bot.handoff.store import HandoffRecord, TicketRecord

T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=CHINA)


def test_handoff_row_masks_and_labels():
    record = HandoffRecord(7, "s", "socketio", "zaozhuang_spj", "dispute",
                           "我手机13912345678，身份证110101199003071234", Status.WAITING, None, None,
                           T0, None, None, T0)
    row = present.handoff_row(record, T0 + dt.timedelta(minutes=3, seconds=5))
    assert row["question"] == "我手机139****5678，身份证**************1234"
    assert (row["channel"], row["agency"], row["reason"], row["status_label"]) == (
        "网站聊天窗口", "枣庄市行政审批服务局", "具体案件咨询", "等待接入")
    assert row["wait_seconds"] == 185 and row["created"] == "11-23 09:00"
    assert row["url"] == "/desk/handoffs/7"


def test_ticket_row_masks_the_phone():
    ticket = TicketRecord(3, "s", "rest", "zibo_spj", "13912345678", None, "open", T0, None, None, None)
    row = present.ticket_row(ticket, T0)
    assert row["phone"] == "139****5678" and row["question"] == "（未留言）"


def test_wait_text():
    assert [present.wait_text(s) for s in (0, 59, 60, 3599, 3600, 3900)] == [
        "0秒", "59秒", "1分钟", "59分钟", "1小时0分钟", "1小时5分钟"]


def test_the_queue_shows_a_question_never_a_cancel_or_a_request():
    # rows stored before the action server used the desk's rule: 「取消」 / 「转人工」 say nothing
    def row(question, reason="request"):
        record = HandoffRecord(8, "s", "rest", "zibo_spj", reason, question, Status.WAITING, None, None,
                               T0, None, None, T0)
        return present.handoff_row(record, T0)["question"]
    assert row("取消") == row("转人工") == row(None) == "（未描述问题）"
    assert row("复议找谁") == "复议找谁"
    assert row("<b>hello</b>") == "<b>hello</b>"  # no Chinese: not judged (the page escapes it)
    assert row("啊啊 / 哦哦", "fallback") == "啊啊 / 哦哦"  # two messages not understood: shown as they were


def test_transcript_row_in_beijing_time():
    from bot.handoff.transcript import Entry
    # 1795399200 = 2026-11-23T02:00:00Z (date -d @1795399200 -u) → 10:00 in Beijing
    row = present.transcript_row(Entry("user", "我的电话", 1795399200.0))
    assert row == {"kind": "user", "who": "群众", "text": "我的电话", "time": "10:00:00", "buttons": ""}
    offered = present.transcript_row(Entry("bot", "您是不是想问", 1795399200.0, buttons=("甲", "乙")))
    assert offered["buttons"] == "甲 ｜ 乙"
