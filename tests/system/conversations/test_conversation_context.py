"""Conversations, not single questions: follow-ups answered in the conversation's topic, typed option
numbers, no identical answer twice, frustration to a person, out-of-scope replies queued for review
— through the real Rasa and action servers (REST channel). Expected texts come from the knowledge
base's answers and data/demo/cases.json, checked by hand."""
import json
import uuid

import pytest

from tests.support import get_json, say, texts
from tests.support.assistant import DEMO_CASES

pytestmark = pytest.mark.servers


def sender() -> str:
    return f"conv-{uuid.uuid4().hex[:8]}"


def talk(assistant, who, *messages):
    """The replies' texts to the last message, after saying the others first."""
    for message in messages[:-1]:
        say(assistant.rasa_url, who, message)
    return texts(say(assistant.rasa_url, who, messages[-1]))


def test_if_they_do_not_answer_after_the_reply_deadline_gets_the_remedies(assistant):
    reply = talk(assistant, sender(), "申请信息公开多久答复？", "如果他们不给呢")
    # messages.yml overdue_remedies for 淄博市行政审批服务局: complaint, review (60 days); said of
    # a rule, not of a case, so conditionally (no case is overdue here)
    assert "到期仍未答复的" in reply and "行政复议" in reply and "60日内" in reply
    assert "已超过法定答复期限" not in reply
    assert "您是不是想问" not in reply


def test_another_agency_after_a_contact_card(assistant):
    who = sender()
    first = talk(assistant, who, "市审批局电话多少")
    assert "0533-2306909" in first  # agencies.yml: 淄博市行政审批服务局
    reply = talk(assistant, who, "那枣庄的呢")
    assert "枣庄市行政审批服务局" in reply and "0533-2306909" not in reply
    assert "抱歉" not in reply


def test_after_correction_how_long_the_citizen_has(assistant):
    reply = talk(assistant, sender(), "机关让我补正材料怎么办", "那我有多长时间去补")
    # the correction_request answer's sentences on the period and on missing it, with the source
    assert "合理的补正期限" in reply and "视为放弃申请" in reply
    assert "来源：《政府信息公开条例》第三十条" in reply


def test_after_third_party_consultation_whether_the_time_counts(assistant):
    reply = talk(assistant, sender(), "征求第三方意见要多久", "这段时间算不算在答复期限里")
    assert "征求意见所用的时间不计入答复期限。" in reply


def test_a_due_date_corrected_to_registered_mail(assistant):
    who = sender()
    first = talk(assistant, who, "我2026年11月2日当面交的申请，最晚哪天答复")
    # 11-2 is a Monday: 20 working days from 11-3 → 11-30 (no holidays in November 2026)
    assert "2026年11月30日" in first
    reply = talk(assistant, who, "不对，是挂号信寄的")
    # registered mail: the day the agency signs for it counts, not the day of posting
    assert "签收" in reply and "2026年11月2日" in reply


def demo_proof(number: str) -> str:
    """What proves ownership of a demo case: its receipt's query code where the demo data has one,
    else the last four digits of the applicant's phone."""
    case = next(c for c in json.loads(DEMO_CASES.read_text(encoding="utf-8"))["cases"]
                if c["case_number"] == number)
    return case.get("query_code") or case["applicant_phone"][-4:]


def test_case_follow_ups_are_answered_from_the_case(assistant):
    who = sender()
    talk(assistant, who, "查询进度", "ZBSP-2026-0101")
    shown = talk(assistant, who, demo_proof("ZBSP-2026-0101"))
    # received Fri 2026-11-20: 20 working days from Mon 11-23 → Fri 12-18
    assert "依法应于2026年12月18日前答复" in shown
    reply = talk(assistant, who, "什么时候到期")
    assert "ZBSP-2026-0101" in reply and "依法应于2026年12月18日前答复" in reply
    reply = talk(assistant, who, "超期了怎么办")
    assert "目前还没有超过答复期限" in reply and "行政复议" in reply
    reply = talk(assistant, who, "能催一下吗")
    assert "催办" in reply and "淄博市行政审批服务局" in reply



def test_case_follow_ups_in_other_words(assistant):
    who = sender()
    talk(assistant, who, "帮我查下我的申请办到哪了", "ZBSP-2026-0101")
    shown = talk(assistant, who, demo_proof("ZBSP-2026-0101"))
    assert "依法应于2026年12月18日前答复" in shown  # received Fri 11-20 → 20 working days → 12-18
    reply = talk(assistant, who, "能不能帮我催催")
    # the contact card of the case's agency (agencies.yml: 淄博市行政审批服务局 0533-2306909)
    assert "ZBSP-2026-0101" in reply and "0533-2306909" in reply
    reply = talk(assistant, who, "过期了怎么办")
    assert "ZBSP-2026-0101" in reply and "行政复议" in reply


def test_they_after_the_complaint_answer_are_the_complaint_body(assistant):
    who = sender()
    first = talk(assistant, who, "审批局不给我答复，我想投诉，找谁")
    # agencies.yml: complaints about 淄博市行政审批服务局 go to 淄博市人民政府办公室, 0533-3183622
    assert "淄博市人民政府办公室" in first
    reply = talk(assistant, who, "他们电话是多少")
    assert "0533-3183622" in reply and "来源" in reply
    assert "0533-2306909" not in reply  # not the agency complained about


def test_another_year_keeps_the_report_item(assistant):
    who = sender()
    first = talk(assistant, who, "市审批局2021年有几件不予公开的")
    # annual_reports.yml zibo_spj: not_disclosed 2021 → 1, 2023 → 1; 2021 new requests 6
    assert "2021年：不予公开：1件" in first
    reply = talk(assistant, who, "23年呢")
    assert "2023年：不予公开：1件" in reply and "2021年" not in reply


def test_a_correction_said_as_a_mistake(assistant):
    who = sender()
    first = talk(assistant, who, "我2026年11月2日当面交的申请，最晚哪天答复")
    assert "2026年11月30日" in first  # Mon 11-2 + 20 working days (no November holidays)
    reply = talk(assistant, who, "说错了，我是寄过去的")
    # mail: the receipt-date rule (receipt_date FAQ): signed-for mail counts from signing
    assert "签收" in reply and "2026年11月30日" not in reply

def test_a_new_question_starts_a_new_topic(assistant):
    reply = talk(assistant, sender(), "申请信息公开多久答复？", "申请信息公开要交钱吗")
    assert "原则上不收费" in reply and "到期仍未答复的" not in reply


def test_the_same_answer_is_not_given_twice_in_a_row(assistant):
    who = sender()
    first = talk(assistant, who, "申请信息公开收费吗")
    assert "原则上不收费" in first
    replies = say(assistant.rasa_url, who, "申请信息公开收费吗")
    again = texts(replies)
    assert "上面刚刚答复过了" in again and "原则上不收费" not in again
    titles = [b["title"] for r in replies for b in r.get("buttons", [])]
    assert titles[-1].endswith("都不是，转人工") and titles[0].startswith("1. ")


def test_a_typed_number_picks_the_option_instead_of_ending_the_conversation(assistant):
    who = sender()
    replies = say(assistant.rasa_url, who, "申请信息公开收费吗")
    # the first answer of the session carries 「有帮助 / 没帮助」: 2 is 没帮助
    assert [b["title"] for r in replies for b in r.get("buttons", [])] == ["有帮助", "没帮助"]
    reply = talk(assistant, who, "2")
    assert "抱歉没能帮到您" in reply and "再见" not in reply
    reply = talk(assistant, who, "3")  # the sorry reply offers one option (转人工): not goodbye
    assert "请回复序号 1 选择" in reply and "再见" not in reply
    reply = talk(assistant, sender(), "3")  # no options at all: asked for a question
    assert "请直接输入您想咨询的问题" in reply and "再见" not in reply


def test_a_typed_number_picks_a_did_you_mean_option(assistant):
    who = sender()
    replies = say(assistant.rasa_url, who, "/nlu_fallback")
    buttons = [b for r in replies for b in r.get("buttons", [])]
    assert buttons and buttons[-1]["title"].endswith("都不是，转人工")
    reply = talk(assistant, who, str(len(buttons)))
    # 都不是，转人工: a person now (office hours) or a callback offer (outside them)
    assert "人工" in reply and "再见" not in reply


def test_frustration_reaches_a_person(assistant):
    reply = talk(assistant, sender(), "一点用都没有，我要找个人说话")
    assert "人工" in reply


def test_out_of_scope_replies_go_to_the_review_queue(assistant):
    from bot.feedback.store import FeedbackStore

    who = sender()
    reply = talk(assistant, who, "今天天气怎么样")
    assert "超出了我的服务范围" in reply
    items = [i for i in FeedbackStore.from_url(assistant.database_url).open_items()
             if i.sender_id == who]
    assert [(i.reason, i.question) for i in items] == [("out_of_scope", "今天天气怎么样")]


def test_the_topic_slots_follow_the_answers(assistant):
    # set by the action server with each action's response (actions.context.topic_slot_events):
    # 多久答复 is answered by the FAQ reply_deadline (the follow-up test above relies on it); a
    # due-date calculation's topic is "due_date" and its question the message it computed from
    who = sender()

    def slots():
        status, tracker = get_json(f"{assistant.rasa_url}/conversations/{who}/tracker")
        assert status == 200
        return tracker["slots"]

    # an FAQ answer names the question as the action read it (normalized: full-width ？ becomes
    # half-width); a calculation's question is the citizen's message as logged (as typed)
    say(assistant.rasa_url, who, "申请信息公开多久答复？")
    assert (slots()["topic"], slots()["topic_question"]) == ("reply_deadline", "申请信息公开多久答复?")
    asked = "我2026年11月2日当面交的申请，最晚哪天答复"
    say(assistant.rasa_url, who, asked)
    assert (slots()["topic"], slots()["topic_question"]) == ("due_date", asked)


def test_an_extension_after_a_computed_date_is_that_date_extended(assistant):
    who = sender()
    first = talk(assistant, who, "我2026年11月3日当面交的申请，最晚哪天答复")
    assert "2026年12月1日" in first  # Tue 3 Nov + 20 working days (no November holidays)
    reply = talk(assistant, who, "要是延期呢")
    # 20 more working days: 2–4, 7–11, 14–18, 21–25, 28, 29 December → 29 December
    assert "如机关依法延长答复期限，最晚：2026年12月29日" in reply
    assert "计算步骤" in reply and "您是不是想问" not in reply


def test_a_question_heard_as_never_mind_is_answered(assistant):
    # 「不用补了」 reads like 「不用了」 (stop) to the classifier; the message asks something, so
    # it is not taken for the end of the conversation
    reply = talk(assistant, sender(), "要补正的话他们得多长时间内告诉我",
                 "都过了一个礼拜了也没通知 那是不是就不用补了")
    assert "还有其他问题可以继续问我" not in reply and "感谢您的咨询" not in reply
    assert "补正" in reply
    # a plain thanks still gets the polite reply (domain/core.yml utter_you_are_welcome)
    assert "不客气" in talk(assistant, sender(), "谢谢")


def test_another_figure_of_the_same_report(assistant):
    who = sender()
    first = talk(assistant, who, "淄博审批局22年的年报里 无法提供的有几件")
    assert "无法提供：4件" in first  # data/kb/annual_reports.yml zibo_spj 2022
    reply = talk(assistant, who, "部分公开的呢")
    assert "2022年：部分公开：1件" in reply and "人工服务" not in reply


def test_the_same_question_in_other_words_adds_how_to_reach_a_person(assistant):
    # cit-want-01: 「那怎么交申请」 right after how to submit to 张店区人民政府办公室 is the part it is
    # about, and the office's phone (its 2023 annual report, data/kb/agencies.yml), not the whole
    # answer again
    who = sender()
    first = talk(assistant, who, "向张店区政府办申请信息公开怎么递交")
    assert "张店区人民政府办公室" in first
    again = talk(assistant, who, "那怎么交申请")
    assert "如需人工帮助" in again and "0533-2869836" in again and again != first


def test_whether_a_day_is_a_working_day_and_then_another_day(assistant):
    # by hand: 2026-10-10 is the Saturday after National Day, a make-up working day under the 2026
    # notice; 2026-10-11 is the Sunday; the pinned day of the demo is in November 2026
    who = sender()
    first = talk(assistant, who, "10月10号那个礼拜六也算工作日？")
    assert "2026年10月10日（星期六）是调休上班日，算工作日" in first
    assert "国务院办公厅关于2026年部分节假日安排的通知" in first
    assert "2026年10月11日（星期日）是周末，不算工作日" in talk(assistant, who, "那10月11号呢")
