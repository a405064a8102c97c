"""The conversation's topic and follow-ups (actions/context.py), the answer-or-ask decision
(actions/faq.py) and typed option numbers (bot/nlp/options.py): pure helpers, no servers."""
import dataclasses
import datetime as dt

import pytest

from actions import context, faq
from bot.channels.textparts import number_buttons
from bot.content import knowledge, reports
from bot.nlp.options import option_number
from bot.rules import textparse

TODAY = dt.date(2026, 11, 23)
KB = knowledge.cached()


def user(text, intent="faq"):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def bot(text, **metadata):
    return {"event": "bot", "text": text, "metadata": metadata}


def action(name):
    return {"event": "action", "name": name}


def plan(text, topic, agency=None, names=()):
    return context.plan_follow_up(text, topic, agency, list(names), TODAY)


def excerpt(got, agency_id):
    """The sentences of the planned FAQ's answer for ``agency_id`` that a plan's lines pick."""
    return context.sentences_with(KB.render(got.target, agency_id).text, got.lines)


# ---- the topic ------------------------------------------------------------------------------------

def test_the_topic_is_the_faq_last_answered_with_its_question_and_agency():
    events = [action("action_listen"), user("多久答复"), action("action_answer_faq"),
              bot("……20个工作日……", faq_id="reply_deadline", agency="zibo_spj",
                  topic="reply_deadline", topic_question="多久答复"),
              action("action_listen"), user("如果他们不给呢")]
    assert context.topic_of(events) == context.Topic("reply_deadline", "多久答复", "zibo_spj")


def test_did_you_mean_and_fallback_replies_leave_the_topic_as_it_was():
    events = [user("收费吗"), action("action_answer_faq"),
              bot("原则上不收费", faq_id="fee_principle", agency="zibo_spj"),
              user("那个事"), action("action_answer_faq"), bot("您是不是想问", unsure=True),
              user("阿巴"), action("action_handle_fallback"), bot("抱歉，我没有完全理解"),
              user("那枣庄的呢")]
    assert context.topic_of(events).name == "fee_principle"


# ---- the topic slots, added to every action's response (bot.serving.action_server) ---------------

def action_call(name, events, slots=None):
    return {"next_action": name, "tracker": {"events": events, "slots": slots or {}}}


def test_after_an_faq_answer_the_slots_name_its_faq_and_question():
    # the answer's message carries topic/topic_question (actions.faq.answer_fields): they are the
    # slots' values, as Rasa will log the message as a BotUttered with that metadata
    call = action_call("action_answer_faq", [action("action_listen"), user("多久答复")])
    result = {"events": [], "responses": [{"text": "……20个工作日……", "buttons": [],
                                          "faq_id": "reply_deadline", "topic": "reply_deadline",
                                          "topic_question": "多久答复"}]}
    assert context.topic_slot_events(call, result) == [
        {"event": "slot", "timestamp": None, "name": "topic", "value": "reply_deadline"},
        {"event": "slot", "timestamp": None, "name": "topic_question", "value": "多久答复"}]


def test_after_a_calculation_the_topic_is_the_calculation_and_the_question_what_was_asked():
    # action_compute_due_date marks no topic itself: ACTION_TOPICS names it, and the question is
    # the citizen's message the action answered
    asked = "我2026年11月2日当面交的申请，最晚哪天答复"
    call = action_call("action_compute_due_date", [action("action_listen"), user(asked, "ask_due_date")])
    result = {"events": [{"event": "slot", "timestamp": None, "name": "deadline_facts", "value": "x"}],
              "responses": [{"text": "最晚答复日：2026年11月30日", "buttons": []}]}
    assert [(e["name"], e["value"]) for e in context.topic_slot_events(call, result)] == [
        ("topic", "due_date"), ("topic_question", asked)]


def test_a_question_back_keeps_the_topic():
    before = [action("action_listen"), user("多久答复"), action("action_answer_faq"),
              bot("……", faq_id="reply_deadline", topic="reply_deadline", topic_question="多久答复"),
              action("action_listen"), user("嗯那个")]
    slots = {"topic": "reply_deadline", "topic_question": "多久答复"}
    asked_back = {"events": [], "responses": [{"text": "您是不是想问：", "unsure": True,
                                               "buttons": [{"title": "1. 办公时间", "payload": "/x"}]}]}
    # the reply offers options and names no topic: the topic is the answer before it, unchanged
    events = context.topic_slot_events(action_call("action_answer_faq", before, slots), asked_back)
    assert [(e["name"], e["value"]) for e in events] == [("topic", "reply_deadline"),
                                                         ("topic_question", "多久答复")]


def test_no_response_or_a_broken_call_gives_no_slots():
    assert context.topic_slot_events(action_call("action_answer_faq", []), None) == []
    assert context.topic_slot_events({"next_action": "x", "tracker": "not a tracker"}, {"events": []}) == []


def test_a_calculation_or_look_up_is_a_topic_with_the_question_and_what_was_shown():
    events = [user("查询进度", "check_case_status"), action("case_lookup_form"),
              user("ZBSP-2026-0101"), user("0001"), action("case_lookup_form"),
              action("action_check_case_status"),
              bot("申请编号：ZBSP-2026-0101（淄博市行政审批服务局）\n依法应于2026年12月18日前答复。"),
              action("action_listen"), user("什么时候到期")]
    topic = context.topic_of(events)
    assert (topic.name, topic.question) == ("case_status", "0001")
    assert "依法应于2026年12月18日前答复" in topic.detail


def test_a_new_session_has_no_topic():
    events = [user("收费吗"), bot("原则上不收费", faq_id="fee_principle"),
              {"event": "session_started"}, user("那枣庄的呢")]
    assert context.topic_of(events) is None


# ---- follow-ups -----------------------------------------------------------------------------------

def test_if_they_do_not_answer_after_the_reply_deadline_gets_the_remedies():
    got = plan("如果他们不给呢", context.Topic("reply_deadline", "多久答复"))
    assert (got.kind, got.target) == ("message", "overdue_remedies")


def test_after_correction_how_long_to_supply_it_gets_those_sentences_only():
    got = plan("那我要多久补", context.Topic("correction_request"))
    assert (got.kind, got.target, got.lines) == ("faq", "correction_request", ("补正期限", "逾期不补正"))
    answer = KB.render("correction_request", "zibo_spj").text
    sentences = context.sentences_with(answer, got.lines)
    # by hand: the first sentence of the answer names 合理的补正期限, the third 逾期不补正
    assert len(sentences) == 2 and "合理的补正期限" in sentences[0] and "视为放弃申请" in sentences[1]


def test_after_third_party_consultation_whether_the_time_counts():
    got = plan("这段时间算不算在期限里", context.Topic("third_party_consultation"))
    assert (got.target, got.lines) == ("third_party_consultation", ("不计入",))
    answer = KB.render("third_party_consultation", "zibo_spj").text
    assert context.sentences_with(answer, got.lines) == ["征求意见所用的时间不计入答复期限。"]


def test_another_agency_alone_reanswers_the_topic_for_it():
    got = plan("那枣庄的呢", context.Topic("contact_info"), "zaozhuang_spj", ["枣庄"])
    assert (got.kind, got.target, got.agency) == ("faq", "contact_info", "zaozhuang_spj")
    got = plan("我说的是枣庄", context.Topic("office_hours"), "zaozhuang_spj", ["枣庄"])
    assert (got.target, got.agency) == ("office_hours", "zaozhuang_spj")


def test_a_new_question_is_not_a_follow_up():
    assert plan("申请信息公开需要交钱吗", context.Topic("reply_deadline")) is None
    assert plan("枣庄审批局的办公时间是几点到几点", context.Topic("contact_info"),
                "zaozhuang_spj", ["枣庄审批局"]) is None
    assert plan("如果他们不给呢", None) is None


def test_a_due_date_is_computed_again_with_the_corrected_channel_or_date():
    topic = context.Topic("due_date", "我2026年11月2日当面交的申请，最晚哪天答复")
    got = plan("不对，是挂号信寄的", topic)
    assert got.kind == "due_date"
    assert textparse.parse_date(got.target, TODAY) == dt.date(2026, 11, 2)
    assert textparse.parse_channel(got.target) == "registered_mail"
    got = plan("那11月5日呢", topic)
    assert textparse.parse_date(got.target, TODAY) == dt.date(2026, 11, 5)
    assert textparse.parse_channel(got.target) == "in_person"
    # 邮寄 alone does not say whether it needed signing for: the receipt-date rule for mail
    got = plan("不对，是邮寄的", topic)
    assert (got.kind, got.target, got.lines) == ("faq", "receipt_date", ("邮寄",))


def test_the_channel_words_read_back_as_their_channel():
    for channel, words in context.CHANNEL_WORDS.items():
        assert textparse.parse_channel(words) == channel
        assert not any(word in words for word in context.RECEIPT_WORDS)


def test_case_follow_ups_answer_from_the_status_shown():
    detail = ("申请编号：ZBSP-2026-0101（淄博市行政审批服务局）\n申请内容：（演示）某小区规划许可文件\n"
              "当前进度：已受理\n机关正在办理，会在法定期限内作出答复。\n"
              "依法应于2026年12月18日前答复（20个工作日）。还剩20个工作日。\n依据：《政府信息公开条例》第三十条至第三十三条")
    topic = context.Topic("case_status", "0001", None, detail)
    assert plan("什么时候到期", topic).target == "due"
    assert plan("能催一下吗", topic).target == "contact"
    assert plan("超期了怎么办", topic).target == "remedies"
    assert context.case_lines(detail, "due") == [
        "申请编号：ZBSP-2026-0101（淄博市行政审批服务局）",
        "依法应于2026年12月18日前答复（20个工作日）。还剩20个工作日。",
        "依据：《政府信息公开条例》第三十条至第三十三条"]
    assert context.case_agency_name(detail) == "淄博市行政审批服务局"
    # a question when that names no remedy is this case's, whatever the words resemble (延期)
    got = plan("不延期的话原本该是哪天", topic)
    assert (got.kind, got.target) == ("case", "due")
    assert plan("复议最晚哪天申请", topic).target != "due"
    assert plan("要是到期了他们还不答复怎么办", topic).target == "remedies"
    # a day the citizen tells (not in the record shown) and a question when: computed from it
    told = plan("通知我是20号才收到的 那最晚哪天交钱", topic)
    assert (told.kind, told.target, told.topic) == ("due_date", "通知我是20号才收到的 那最晚哪天交钱", "due_date")
    assert context.case_lines("没有查到与这个编号和手机号后四位都相符的申请。", "due") == []


def test_every_faq_and_message_in_the_follow_up_map_exists():
    assert context.problems(KB, context.followups()) == []
    for topic, entries in context.followups().topics.items():
        for kind, target in entries.items():
            # each excerpt finds a sentence (`asked`: the lines the follow-up asks for)
            if isinstance(target, dict) and target.get("lines") and target["lines"] != "asked":
                answer = KB.render(target["faq"], "zibo_spj").text
                assert context.sentences_with(answer, target["lines"]), (topic, kind)


# ---- answer or ask --------------------------------------------------------------------------------

def ranking(*pairs):
    return [{"faq_id": f, "confidence": c} for f, c in pairs]


def test_a_sure_retrieval_is_answered():
    assert faq.decide(ranking(("reply_deadline", 0.9), ("extension", 0.05)), "啥") == \
        ("answer", "reply_deadline")


def test_an_unsure_retrieval_is_answered_when_the_wording_agrees():
    # 「什么样的信息不会公开」: 0.43 for exempt_info is below 0.5; its examples are worded alike
    kind, value = faq.decide(ranking(("exempt_info", 0.43), ("answer_types", 0.23)), "什么样的信息不会公开")
    assert (kind, value) == ("answer", "exempt_info")


def test_an_unsure_retrieval_asks_with_the_lexically_closest_faq_among_the_options():
    best, _ = faq.lexical_best("涉及别人的信息会怎么处理")
    assert best == "third_party_consultation"
    kind, options = faq.decide(ranking(("answer_types", 0.39), ("exempt_info", 0.3),
                                       ("partial_disclosure", 0.03)), "涉及别人的信息会怎么处理")
    assert kind == "ask" and options == ["answer_types", "exempt_info", "partial_disclosure",
                                         "third_party_consultation"]


def test_the_retrievals_fourth_is_offered_when_the_lexically_closest_is_already_among_the_first_three():
    # third_party_consultation is the lexically closest (asserted above) and second here; 0.15 is
    # below AGREE_MIN_CONFIDENCE, so it asks: the fourth option is the retrieval's fourth
    kind, options = faq.decide(ranking(("exempt_info", 0.15), ("third_party_consultation", 0.14),
                                       ("partial_disclosure", 0.1), ("answer_types", 0.05)),
                               "涉及别人的信息会怎么处理")
    assert kind == "ask" and options == ["exempt_info", "third_party_consultation",
                                         "partial_disclosure", "answer_types"]


def test_a_weaker_agreement_counts_when_the_wording_clearly_leads():
    # 0.23 is unsure; the closest FAQ by wording is the retrieval's first at 54 (below 60 but at
    # least 50) and 16 ahead of the next FAQ (at least 5): answered
    assert faq.decide(ranking(("reply_deadline", 0.23), ("office_hours", 0.13)), "几天内给我回话",
                      lexical=[("reply_deadline", 54.0), ("how_to_submit", 38.0)]) == \
        ("answer", "reply_deadline")


def test_a_tie_in_wording_is_no_agreement():
    # 0.45 is unsure; the first candidate ties with another FAQ at 52.6 (lead 0 < 5, score < 60):
    # it asks
    kind, options = faq.decide(ranking(("how_to_submit", 0.45), ("office_hours", 0.29)), "周末能去交吗",
                               lexical=[("how_to_submit", 52.6), ("office_hours", 52.6)])
    assert kind == "ask" and options[:2] == ["how_to_submit", "office_hours"]


def test_the_wording_can_confirm_the_retrievals_second_candidate():
    # reading_room is second (0.18 ≥ 0.15) and lexically closest at 64.5 (≥ 60), 10.7 ahead of
    # the next FAQ (≥ 10): answered with the second
    lexical = [("reading_room", 64.5), ("proactive_disclosure", 53.8)]
    assert faq.decide(ranking(("proactive_disclosure", 0.41), ("reading_room", 0.18)), "纸质版去哪看",
                      lexical=lexical) == ("answer", "reading_room")
    # too unlikely for the retrieval (0.1 < 0.15), or not clearly ahead in wording (6 < 10): asks
    assert faq.decide(ranking(("proactive_disclosure", 0.41), ("reading_room", 0.1)), "纸质版去哪看",
                      lexical=lexical)[0] == "ask"
    assert faq.decide(ranking(("proactive_disclosure", 0.41), ("reading_room", 0.18)), "纸质版去哪看",
                      lexical=[("reading_room", 64.0), ("proactive_disclosure", 58.0)])[0] == "ask"


def test_the_lexical_ranking_scores_each_faq_by_its_closest_example():
    # a title typed as it stands is a copy of that FAQ's title (100), and each FAQ appears once
    lexical = faq.lexical_ranking(KB.faqs["office_hours"].title)
    assert lexical[0] == ("office_hours", 100.0)
    assert len({faq_id for faq_id, _ in lexical}) == len(lexical) == len(KB.faqs)


# ---- option numbers -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, number", [("3", 3), ("３。", 3), ("第2个", 2), ("选1", 1), ("②", 2),
                                          ("88", None), ("886", None), ("2023", None), ("0", None),
                                          ("3个工作日", None), ("一", None)])
def test_option_numbers(text, number):
    assert option_number(text) == number


def test_the_options_are_those_of_the_reply_to_the_previous_message():
    buttons = [{"title": "1. 多久答复", "payload": '/choose_faq{"faq_id":"reply_deadline"}'}]
    events = [user("那个"), bot("您是不是想问", unsure=True) | {"data": {"buttons": buttons}},
              action("action_listen"), user("1", "choose_option")]
    assert context.last_options(events) == buttons
    assert context.last_options(events + [bot("好的"), user("2", "choose_option")]) == []
    assert context.parse_payload(buttons[0]["payload"]) == ("choose_faq", {"faq_id": "reply_deadline"})
    assert context.parse_payload("/request_human") == ("request_human", {})
    assert context.parse_payload("随便") == ("", {})


def test_numbered_options_are_not_numbered_twice_on_wechat():
    buttons = context.numbered([{"title": "多久答复", "payload": "/a"}, {"title": "转人工", "payload": "/b"}])
    assert [b["title"] for b in buttons] == ["1. 多久答复", "2. 转人工"]
    text, payloads = number_buttons("您是不是想问：", buttons)
    assert text == "您是不是想问：\n1. 多久答复\n2. 转人工\n（回复 1/2 选择）"


def test_after_a_case_follow_up_the_case_is_still_the_topic():
    shown = "申请编号：ZBSP-2026-0101（淄博市行政审批服务局）\n依法应于2026年12月18日前答复。"
    events = [user("0001"), action("action_check_case_status"), bot(shown),
              user("什么时候到期"), action("action_answer_faq"),
              bot("申请编号：ZBSP-2026-0101（淄博市行政审批服务局）\n依法应于2026年12月18日前答复。",
                  topic="case_status", topic_question="0001"),
              user("能催一下吗", "greet")]
    topic = context.topic_of(events)
    assert (topic.name, topic.detail) == ("case_status", shown)


def test_a_short_question_the_retrieval_is_sure_of_is_not_a_follow_up():
    # 「复议期限是多久」 is short and asks 多久, but it is its own question when the retrieval says so
    assert context.plan_follow_up("复议期限是多久", context.Topic("correction_request"), None, [], TODAY,
                                  sure_faq="review") is None
    # with a cue word it leans on the topic whatever the retrieval thinks
    got = context.plan_follow_up("那我要多久补", context.Topic("correction_request"), None, [], TODAY,
                                 sure_faq="reply_deadline")
    assert got.target == "correction_request"


CASE_SHOWN = ("申请编号：ZBSP-2026-0101（淄博市行政审批服务局）\n当前进度：已受理\n"
              "依法应于2026年12月18日前答复（20个工作日）。还剩20个工作日。")


@pytest.mark.parametrize("text, part", [("什么时候到期", "due"), ("超期了怎么办", "remedies"),
                                        ("能帮我催一下吗", "contact"), ("到期时间是多少号", "due")])
def test_a_bare_case_follow_up_leans_on_the_case_even_when_the_retrieval_is_sure(text, part):
    # the retrieval may be sure these few words ask reply_deadline / complaint; after a look-up
    # they ask about the case: nothing in them names another subject
    topic = context.Topic("case_status", "", None, CASE_SHOWN)
    got = context.plan_follow_up(text, topic, None, [], TODAY, sure_faq="complaint")
    assert (got.kind, got.target) == ("case", part)


def test_a_follow_up_word_with_a_subject_of_its_own_is_another_question():
    # 复议 is left once 期限 and the asking words are taken out: the review FAQ, not the case
    # (followups.yml case_status.parts: the remedy named is answered from its own FAQ, here
    # review's how_long lines)
    topic = context.Topic("case_status", "", None, CASE_SHOWN)
    got = context.plan_follow_up("复议期限多久", topic, None, [], TODAY, sure_faq="review")
    assert (got.kind, got.target, got.lines) == ("faq", "review", ("期限", "60日内"))


def test_they_after_a_remedy_answer_are_its_body():
    # the complaint answer names the complaint body with its phone; the review answer the
    # review body (data/kb/agencies.yml): 他们 / 那边 ask for that body's contact lines
    got = plan("他们电话是多少", context.Topic("complaint"))
    assert (got.kind, got.target, got.lines) == ("faq", "complaint", ("电话", "联系方式"))
    got = plan("那边地址在哪里", context.Topic("review"))
    assert (got.target, got.lines) == ("review", ("电话", "地址"))
    # 不服 after review: going to court after the review
    assert plan("复议了还不服呢", context.Topic("review")).target == "litigation_after_review"


def test_a_correction_said_as_a_mistake_is_a_follow_up():
    topic = context.Topic("due_date", "我11月2号去窗口交的申请，最晚什么时候给我答复")
    got = plan("说错了，我是寄过去的", topic)
    assert (got.kind, got.target, got.lines) == ("faq", "receipt_date", ("邮寄",))


def test_another_year_keeps_what_the_report_question_asked():
    # two-digit and Chinese-numeral years are taken out of the earlier question, not added to it
    topic = context.Topic("annual_report", "市审批局21年有几件不予公开的")
    got = plan("23年呢", topic)
    assert got.kind == "report"
    assert reports.asked_years(got.target, TODAY) == [2023]
    assert reports.asked_category(KB, got.target) == "not_disclosed"
    got = plan("那二二年的呢", context.Topic("annual_report", "二〇二〇年一共收了多少件申请"))
    assert reports.asked_years(got.target, TODAY) == [2022]

    # a year counted from the one just shown
    got = plan("再前一年是多少", context.Topic("annual_report", "审批服务局2022年新收了几个申请"))
    assert reports.asked_years(got.target, TODAY) == [2021]


def test_a_look_up_that_ended_before_checking_leaves_the_case_as_the_topic():
    # 「什么时候到期」 read as a new look-up: the form answered it from the case and ended, then
    # action_check_case_status ran with nothing to check and said nothing
    shown = "申请编号：ZBSP-2026-0101（淄博市行政审批服务局）\n依法应于2026年12月18日前答复。"
    events = [user("0001"), action("action_check_case_status"), bot(shown), action("action_listen"),
              user("什么时候到期", "check_case_status"), action("case_lookup_form"),
              bot(shown, topic="case_status", topic_question="0001"),
              action("action_check_case_status"), action("action_listen")]
    topic = context.topic_of(events)
    assert (topic.name, topic.detail) == ("case_status", shown)


def test_which_body_after_a_remedy_answer_is_the_body_it_names():
    # 「哪个部门？」 after an answer that leaves the body unclear: the sentence naming it
    assert plan("哪个部门？", context.Topic("complaint")).lines == ("针对",)
    assert plan("找哪个机关", context.Topic("review")).lines == ("复议机关",)
    assert plan("去哪个法院", context.Topic("litigation")).lines == ("法院", "6个月")  # and by when
    # with a subject of its own and a sure retrieval, it is that question
    assert context.plan_follow_up("找哪个部门申请", context.Topic("complaint"), None, [], TODAY,
                                  sure_faq="which_agency") is None


def test_a_follow_up_may_name_the_topics_own_subject():
    # 补 is correction_request's own subject (followups.yml `subject`): still a follow-up
    got = context.plan_follow_up("给我几天时间补", context.Topic("correction_request"), None, [], TODAY,
                                 sure_faq="reply_deadline")
    assert got.lines == ("补正期限", "逾期不补正")
    got = plan("不是，我要的是枣庄的", context.Topic("contact_info"), "zaozhuang_spj", ["枣庄"])
    assert (got.target, got.agency) == ("contact_info", "zaozhuang_spj")


def test_another_aspect_of_the_same_report():
    got = plan("都是关于什么的", context.Topic("annual_report", "张店区政府办23年的年报里有多少申请"))
    assert got.kind == "report" and reports.asked_aspect(got.target) == "subjects"
    assert reports.asked_years(got.target, TODAY) == [2023]


def test_two_of_the_topics_follow_up_words_in_one_message():
    topic = context.Topic("case_status", "", None, CASE_SHOWN)
    got = context.plan_follow_up("我想催办，找谁", topic, None, [], TODAY, sure_faq="which_agency")
    assert (got.kind, got.target) == ("case", "contact")
    got = context.plan_follow_up("还有几天到期", topic, None, [], TODAY, sure_faq="reply_deadline")
    assert got.target == "due"


def test_an_information_request_is_a_topic_of_its_own():
    # 「那找谁要」 after 「我想要拆迁补偿方案」 is about that request, not the complaint before it
    events = [user("去哪投诉"), action("action_answer_faq"), bot("……", faq_id="complaint"),
              user("我想要拆迁补偿方案", "ask_info_request"), action("action_info_request"),
              bot("关于房屋征收（拆迁）决定和补偿安置方案：……")]
    assert context.topic_of(events).name == "info_request"
    assert plan("那找谁要", context.topic_of(events)) is None


# ---- talk14: the remedies' parts, calculations again, another agency's card, agency unclear ------

def test_a_remedy_named_after_the_remedies_overview_is_answered_from_its_own_faq():
    # followups.yml remedies.parts: 复议 → review, whose `who` kind keeps the 复议机关 sentence
    got = plan("复议找谁", context.Topic("remedies", "不满意有什么办法"))
    assert (got.kind, got.target, got.lines, got.topic) == ("faq", "review", ("复议机关",), "review")
    # a part without a kind of its own: that FAQ's whole answer
    got = plan("那起诉呢", context.Topic("remedies", "不满意有什么办法"))
    assert (got.kind, got.target, got.lines) == ("faq", "litigation", ())


def test_after_review_the_court_is_litigation_and_after_review_again_is_litigation_after_review():
    assert plan("那去法院呢", context.Topic("review")).target == "litigation"
    assert plan("复议了还不服呢", context.Topic("review")).target == "litigation_after_review"


def test_the_remedies_a_message_lists_are_the_topic_it_leaves():
    got = plan("如果他们不给呢", context.Topic("reply_deadline", "多久答复"))
    assert (got.kind, got.target, got.topic) == ("message", "overdue_remedies", "remedies")


def test_another_figure_after_a_fee_is_the_fee_for_it():
    got = plan("那50件呢", context.Topic("fee", "一个月申请35件要多少钱"))
    assert (got.kind, got.target) == ("fee", "那50件呢")
    assert plan("不对，只有80页", context.Topic("fee_principle")).kind == "fee"


def test_a_date_after_the_reply_deadline_rule_is_computed():
    got = plan("那我11月4号交的呢", context.Topic("reply_deadline", "多久答复"))
    assert (got.kind, got.topic) == ("due_date", "due_date")


def test_a_named_agencys_phone_after_a_remedy_body_is_that_agencys_card():
    got = plan("区政府办的电话呢", context.Topic("complaint", "投诉找谁", "zhangdian_gov"),
               "zhangdian_gov", ["区政府办"])
    assert (got.kind, got.target, got.agency) == ("faq", "contact_info", "zhangdian_gov")
    # without an agency named, 「他们电话」 is still the body's (test_they_after_a_remedy_answer…)
    assert plan("他们电话多少", context.Topic("complaint")).lines == ("电话", "联系方式")


def test_where_another_agencys_report_is_after_the_report_timing_is_that_report_not_its_card():
    # 「在哪」 is a contact word, but 「年报」 names the topic's own subject: the answer is where
    # 枣庄's report is published (annual_report_timing for 枣庄), not 枣庄's phone and address
    got = plan("枣庄的年报在哪下", context.Topic("annual_report_timing", "年报在哪能看到", "zibo_spj"),
               "zaozhuang_spj", ["枣庄"])
    assert (got.kind, got.target, got.agency) == ("faq", "annual_report_timing", "zaozhuang_spj")


def test_an_agency_chosen_in_a_few_words_re_answers_the_question():
    got = plan("那就张店的吧", context.Topic("contact_info", "桓台县审批局的电话"), "zhangdian_gov", ["张店"])
    assert (got.kind, got.target, got.agency) == ("faq", "contact_info", "zhangdian_gov")


@pytest.mark.parametrize("text, place", [
    ("桓台县审批局的电话是多少", "桓台县"), ("我们县政府办的地址在哪", "我们县"),
    ("临淄区政府办公时间", "临淄区"),  # 区政府 alone would be 张店区人民政府办公室's alias
    ("济南市审批局电话", "济南市"),
    ("市审批局电话", None), ("张店区政府办电话", None), ("枣庄市审批局在哪", None),
    ("淄博市人民政府复议办公室在哪", None), ("县级以上人民政府", None), ("向区县人民政府申请", None),
    ("我们小区拆迁的补偿方案", None), ("张店的审批局在哪", "张店"), ("张店区审批局电话", "张店区"),
    # 市审批局 after the sentence's own words (the place pattern takes two characters before 市)
    ("就找市审批局 咋交申请", None), ("请问市审批局已经主动公开的政府信息", None),
    ("找谁复议 是市审批局给我答复的", None), ("想请市审批局帮忙统计", None),
    ("我想问桓台县审批局电话", "桓台县")])
def test_a_body_of_a_place_not_in_the_directory_is_unclear(text, place):
    from actions.common import unknown_place
    assert unknown_place(text) == place


def test_which_answers_depend_on_the_agency():
    # contact_info lists each agency's phones; receipt_date's rule is the 条例's, the same for all
    assert faq.agency_specific("contact_info") and faq.agency_specific("complaint")
    assert not faq.agency_specific("receipt_date")


def test_the_agencys_own_phone_after_a_remedy_body_is_the_agencys_card():
    got = plan("那审批局自己的电话呢", context.Topic("complaint", "投诉找谁", "zaozhuang_spj"))
    assert (got.kind, got.target, got.agency) == ("faq", "contact_info", None)


def test_the_same_faq_asked_again_in_other_words_gets_the_sentences_it_is_about():
    # extension's answer: the sentence saying the applicant must be told (告知) of an extension;
    # 告诉 is 告知 and 延期 is 延长 in the answer's words (followups.yml synonyms)
    answer = KB.render("extension", "zibo_spj").text
    assert context.sentences_about(answer, "延期要不要告诉我") == [
        "可以延期，但有条件：确需延长答复期限的，须经政府信息公开工作机构负责人同意，并告知申请人。"]
    # correction_request: the period restarts from the corrected application (重新计算)
    answer = KB.render("correction_request", "zibo_spj").text
    assert context.sentences_about(answer, "补正以后期限怎么算") == [
        "答复期限从机关收到补正后的申请之日起重新计算（仍是20个工作日）。"]
    assert context.sentences_about(answer, "你好") == []


def test_a_channel_after_the_receipt_date_is_that_channels_line():
    got = plan("发邮件的呢", context.Topic("receipt_date", "当面交的申请哪天算收到"))
    assert (got.target, got.lines) == ("receipt_date", ("邮件",))
    answer = KB.render("receipt_date", "zibo_spj").text
    assert context.sentences_with(answer, got.lines)[0].startswith("· 电子邮件、网上平台或传真")


def test_a_detail_of_the_email_channel_is_that_channels_line_even_where_another_faq_is_sure():
    # after how to submit (zibo_spj lists e-mail with 「邮件主题注明“政府信息公开”字样」,
    # agencies.yml), 「邮件标题要写啥不」 asks that line's detail; the retrieval being sure of
    # another FAQ (application_contents, say) does not take it out of the topic
    got = context.plan_follow_up("邮件标题要写啥不", context.Topic("how_to_submit", "能发邮件吗"),
                                 None, [], TODAY, sure_faq="application_contents")
    assert got.target == "how_to_submit"
    answer = KB.render("how_to_submit", "zibo_spj").text
    assert any("政府信息公开" in line and "主题" in line
               for line in context.sentences_with(answer, got.lines))


def test_where_to_say_it_in_person_after_no_phone_applications_is_the_in_person_line():
    # phone_application says applications are not taken by phone but may be made orally (口头);
    # 「那我得上哪当面去说」 asks where: how_to_submit's in-person line (zibo_spj: 西四路119号)
    got = plan("那我得上哪当面去说", context.Topic("phone_application", "打个电话跟他们说行不行"))
    assert (got.kind, got.target) == ("faq", "how_to_submit")
    answer = KB.render("how_to_submit", "zibo_spj").text
    assert any("西四路119号" in line for line in context.sentences_with(answer, got.lines))


def test_whether_they_may_put_it_off_after_the_reply_deadline_is_the_extension():
    # 第三十三条: 20 working days, extendable by at most 20 more with the office head's consent
    # (faq extension); 「他们能往后拖不」 asks exactly that
    got = plan("他们能往后拖不", context.Topic("reply_deadline", "申请交上去多久给回话"))
    assert (got.kind, got.target) == ("faq", "extension")
    # after a computed due date, 「要是延期呢」 stays the computation (due_date_extension)
    assert plan("要是延期呢", context.Topic("due_date", "11月3日当面交的，哪天到期")).kind == \
        "due_date_extension"


def test_what_a_complaint_achieves_and_a_faster_review_are_lines_of_their_answers():
    # complaint (FACTS §4.1): a complaint does not itself change the answer
    got = plan("投诉完了他们就会给我信息了吗", context.Topic("complaint", "能投诉吗 找谁投诉"))
    answer = KB.render("complaint", "zibo_spj").text
    assert got.target == "complaint"
    assert any("不会直接改变答复结果" in line for line in context.sentences_with(answer, got.lines))
    # review (复议法第六十二条): the simple procedure decides within 30 days
    got = plan("信息公开这种的是不是能快点", context.Topic("review", "复议要多久出结果"))
    answer = KB.render("review", "zibo_spj").text
    assert got.target == "review"
    assert any("30日" in line for line in context.sentences_with(answer, got.lines))


def test_a_short_question_heard_as_asking_for_a_person_may_lean_on_the_topic():
    from actions.handoff import asks_about_topic, asks_for_person
    assert asks_about_topic("要是不给我呢") and asks_about_topic("那22年的呢")
    assert not asks_about_topic("你说这些都没用呢")  # frustration: to a person
    assert asks_for_person("给我找个人") and not asks_for_person("要是不给我呢")


def test_a_written_questions_polite_closing_is_not_asking_for_a_person():
    from actions.handoff import asks_for_person
    assert not asks_for_person("请问收件地址是哪里？麻烦工作人员告知，谢谢。")
    assert not asks_for_person("复议期限怎么算，恳请工作人员解答")
    assert asks_for_person("我要找工作人员") and asks_for_person("让工作人员给我打电话")


def test_the_agency_an_information_request_sends_the_citizen_to():
    from bot.content import info_requests
    expropriation = info_requests.subject_by_id(KB, "expropriation")
    # info_subjects.yml: 征收补偿方案 held by 张店区人民政府办公室 (S3), same city as 淄博's 审批局
    assert info_requests.holder(KB, expropriation, "zibo_spj") == "zhangdian_gov"
    assert info_requests.holder(KB, None, "zibo_spj") is None


# ---- talk, round 3: a hypothetical is not an overdue case; the case's agency after a look-up --------

def tracker_after(events, text, slots=None):
    from rasa_sdk import Tracker
    latest = {"text": text, "intent": {"name": "faq"}, "entities": []}
    return Tracker("citizen", slots or {}, latest, [*events, user(text)], False, None, None,
                   "action_listen")


def test_the_overdue_remedies_of_a_rule_say_if_it_comes_to_that():
    # messages.yml overdue_remedies for zibo_spj: the complaint body 淄博市人民政府办公室, the
    # review body 淄博市人民政府 (data/kb/agencies.yml); only the opening line differs
    real = KB.message("overdue_remedies", "zibo_spj")
    hypothetical = KB.message("overdue_remedies", "zibo_spj", hypothetical=True)
    assert real.split("\n")[0] == "已超过法定答复期限。您可以："
    assert hypothetical.split("\n")[0] == "到期仍未答复的，您可以：" and "已超过" not in hypothetical
    assert real.split("\n", 1)[1] == hypothetical.split("\n", 1)[1]
    assert "淄博市人民政府办公室" in hypothetical and "60日内" in hypothetical


@pytest.mark.parametrize("text", ["假如他们一直不回", "如果超过20个工作日还没答复怎么办", "万一超时了呢"])
async def test_a_hypothetical_after_the_reply_deadline_is_not_told_it_is_overdue(text):
    # after the reply-deadline rule there is no case: 「已超过法定答复期限」 would be false
    events = [user("多久答复"), action("action_answer_faq"),
              bot("……20个工作日……", faq_id="reply_deadline", agency="zibo_spj",
                  topic="reply_deadline", topic_question="多久答复"), action("action_listen")]
    from rasa_sdk.executor import CollectingDispatcher
    dispatcher = CollectingDispatcher()
    assert await faq.answer_in_context(dispatcher, tracker_after(events, text)) is not None
    reply = dispatcher.messages[0]["text"]
    assert reply.startswith("到期仍未答复的，您可以：") and "已超过" not in reply
    assert "行政复议" in reply


@pytest.mark.parametrize("text", ["到时候还不答复的话怎么办", "到那天他们还是不答复的话怎么办"])
def test_a_long_follow_up_of_nothing_but_the_topics_words_leans_on_it(text):
    # more than `short` (8) characters and no cue word, but nothing in it beyond a refusal word
    # (不答复) and asking words: after a computed due date, the remedies if it comes to that
    topic = context.Topic("due_date", "11月16号当面交的申请，最晚什么时候答复")
    got = context.plan_follow_up(text, topic, None, [], TODAY, sure_faq="complaint")
    assert (got.kind, got.target) == ("message", "overdue_remedies")


def test_not_answering_on_time_after_a_look_up_asks_the_cases_remedies():
    # 不按时 is an overdue word (followups.yml); 答复 the case's own subject: nothing else is asked
    topic = context.Topic("case_status", "", None, CASE_SHOWN)
    got = context.plan_follow_up("不按时答复的话怎么办", topic, None, [], TODAY)
    assert (got.kind, got.target) == ("case", "remedies")
    # longer, no cue, and a subject of its own (复议): a question of its own, not a follow-up
    assert context.plan_follow_up("不按时答复的话复议要多久", topic, None, [], TODAY,
                                  sure_faq="review") is None


@pytest.mark.parametrize("text", ["那我去哪投诉", "超过这个日子不答复的话去哪投诉"])
def test_a_remedy_named_after_a_look_up_is_asked_of_the_remedy_not_the_agency(text):
    # 去哪 (who) would be the case agency's card; 投诉 names the complaint body: complaint's
    # `who` lines (针对…). 不答复 (refused) only says when: what is asked is who
    topic = context.Topic("case_status", "", None, CASE_SHOWN)
    got = context.plan_follow_up(text, topic, None, [], TODAY, sure_faq="complaint")
    assert (got.kind, got.target, got.lines) == ("faq", "complaint", ("针对",))


def test_who_to_complain_to_if_they_do_not_answer_after_the_remedies_overview():
    # complaint.refused is review (the complaint went unanswered); here 不答复 is the situation
    # and 去哪投诉 the question: complaint's `who` lines
    got = plan("他们超过期限不答复去哪投诉", context.Topic("remedies", "不满意有什么办法"))
    assert (got.kind, got.target, got.lines) == ("faq", "complaint", ("针对",))
    # the situation alone with the remedy: still the part's own answer to it
    assert plan("投诉了他们也不理呢", context.Topic("remedies")).target == "review"


@pytest.mark.parametrize("text, fields", [("他们电话多少", ("电话",)), ("那边在哪办公", ("地址",)),
                                          ("对方的联系电话", ("电话",))])
def test_their_contact_after_a_look_up_is_the_card_of_the_cases_agency(text, fields):
    # 他们 after a look-up is the agency handling the case (the look-up set the agency slot):
    # the lines of its contact card the follow-up asks for (followups.yml `fields`)
    topic = context.Topic("case_status", "", None, CASE_SHOWN)
    got = context.plan_follow_up(text, topic, None, [], TODAY)
    assert (got.kind, got.target, got.lines, got.topic) == ("faq", "contact_info", fields, "case_status")


async def test_the_address_after_a_look_up_is_the_cases_agencys():
    # a case of 张店区人民政府办公室 looked up: its card's 地址 line (data/kb/agencies.yml:
    # 淄博市张店区新村西路226号区政务中心), not the default agency's
    shown = "申请编号：ZDZF-2026-0212（张店区人民政府办公室）\n依法应于2026年12月9日前答复。"
    events = [user("1651 4344 6831", "inform"), action("action_check_case_status"), bot(shown),
              action("action_listen")]
    from rasa_sdk.executor import CollectingDispatcher
    dispatcher = CollectingDispatcher()
    tracker = tracker_after(events, "那边在哪办公", {"agency": "zhangdian_gov"})
    assert await faq.answer_in_context(dispatcher, tracker) is not None
    reply = dispatcher.messages[0]["text"]
    assert "新村西路226号" in reply and "张店区人民政府办公室" in reply and "0533-2306909" not in reply


def test_when_a_case_waiting_for_a_correction_is_due():
    # bot/cases/status.py for a case waiting for a correction (ZBSP-2026-0102 of the demo cases):
    # no due date, the due line says the period is paused: that line answers 「什么时候到期」
    shown = ("申请编号：ZBSP-2026-0102（淄博市行政审批服务局）\n当前进度：待补正\n"
             "请按补正通知写明的事项和期限补充材料；无正当理由逾期不补正的，视为放弃申请。\n"
             "机关已通知补正，答复期限暂停计算；机关收到补正后的申请后，重新计算20个工作日。\n"
             "依据：《政府信息公开条例》第三十条至第三十三条")
    assert context.case_lines(shown, "due") == [
        "申请编号：ZBSP-2026-0102（淄博市行政审批服务局）",
        "机关已通知补正，答复期限暂停计算；机关收到补正后的申请后，重新计算20个工作日。",
        "依据：《政府信息公开条例》第三十条至第三十三条"]  # the shown status's source goes with it
    # an overdue case's due line is its date; the remedies' 「已超过法定答复期限」 is not a due line
    overdue = ("申请编号：ZZSP-2026-0033（枣庄市行政审批服务局）\n"
               "依法应于2026年9月29日前答复（20个工作日）。目前已超过期限55天。\n"
               "已超过法定答复期限。您可以：\n1. 投诉举报")
    assert context.case_lines(overdue, "due") == [
        "申请编号：ZZSP-2026-0033（枣庄市行政审批服务局）",
        "依法应于2026年9月29日前答复（20个工作日）。目前已超过期限55天。"]


@pytest.mark.parametrize("topic", ["reply_deadline", "extension", "due_date"])
def test_a_remedy_named_in_a_hypothetical_after_a_deadline_is_answered_from_its_faq(topic):
    # 「如果超期了我能去法院告吗」: the overdue remedies list complaint and review only; the
    # citizen names the court (法院 → litigation): that FAQ's whole answer (超期 is the
    # situation, and litigation answers no overdue kind)
    got = plan("如果超期了我能去法院告吗", context.Topic(topic, "多久答复"))
    assert (got.kind, got.target, got.lines) == ("faq", "litigation", ())
    # no remedy named: the remedies if it comes to that, as before
    assert plan("要是他们超期了呢", context.Topic(topic, "多久答复")).target == "overdue_remedies"


def test_no_news_is_not_answering():
    # 没消息/没动静 say the agency has not answered (followups.yml refused words)
    got = plan("他们一直没消息怎么办", context.Topic("reply_deadline", "多久答复"))
    assert (got.kind, got.target) == ("message", "overdue_remedies")
    topic = context.Topic("case_status", "", None, CASE_SHOWN)
    assert context.plan_follow_up("一直没动静的话怎么办", topic, None, [], TODAY,
                                  sure_faq="complaint").target == "remedies"


def test_the_lexical_signal_reads_the_knowledge_base_served_now(monkeypatch):
    # an example added to reading_room (as the review page adds one) is, word for word, at 100 in
    # the very next ranking: the index belongs to the loaded copy, not to the process
    served = knowledge.load()
    question = "恁那儿的纸质材料上哪看"  # written for this test, in no FAQ
    monkeypatch.setattr(faq, "kb", lambda: served)
    assert faq.lexical_ranking(question)[0][1] < 100
    room = served.faqs["reading_room"]
    grown = dataclasses.replace(room, examples=(*room.examples, question))
    served = dataclasses.replace(served, faqs={**served.faqs, "reading_room": grown})
    assert faq.lexical_ranking(question)[0] == ("reading_room", 100.0)


# ---- follow-ups found in the citizen development conversations (bench/dev/citizen_conversations.yml)

def test_a_place_with_that_one_is_a_name_alone():
    # 「那个」 was matched as 那 and left 个 behind (the filler's alternatives, longest first now)
    got = plan("枣庄那个呢", context.Topic("contact_info", "市审批局电话多少", "zibo_spj"),
               "zaozhuang_spj", ["枣庄"])
    assert (got.kind, got.target, got.agency) == ("faq", "contact_info", "zaozhuang_spj")


def test_another_figure_of_the_same_report_keeps_the_years_only():
    topic = context.Topic("annual_report", "区里23年那些信息公开申请都是要啥的")
    got = plan("被告的有几件", topic)
    # the years of the question before; not its aspect (what the applications were about)
    assert (got.kind, got.target) == ("report", "被告的有几件，2023年")
    got = plan("部分公开的呢", context.Topic("annual_report", "淄博审批局22年的年报里 无法提供的有几件"))
    assert got.target == "部分公开的呢，2022年"
    # data/kb/annual_reports.yml: zibo_spj 2022 partially_disclosed 1
    assert "部分公开：1件" in reports.answer(KB, got.target, "zibo_spj", TODAY)


def test_an_extension_after_a_computed_date_is_that_history_extended():
    topic = context.Topic("due_date", "我11月3号当面交的 最晚哪天得答复我")
    for text in ("要是延期呢", "他们说要延期 那最晚到啥时候"):
        got = plan(text, topic)
        assert (got.kind, got.target, got.topic) == ("due_date_extension", topic.question, "due_date")
    # 「早过了」「没给我回」 after a computed date: the remedies, as for 超期 and 不答复
    got = plan("那现在早过了 还没给我回 咋弄", topic)
    assert (got.kind, got.target) == ("message", "overdue_remedies")


def test_a_question_heard_as_goodbye_thanks_or_never_mind_is_a_question():
    from actions.conversation import asks_something
    assert asks_something("都过了一个礼拜了也没通知 那是不是就不用补了")
    assert asks_something("谢谢，那复议要钱吗")
    assert asks_something("算了不查了 我就想知道对审批局不满意 能发邮件投诉不")  # 能…不: a question
    # short thanks, goodbyes and never minds are what the classifier thought
    for text in ("好 谢谢你啊", "不用了谢谢", "再见", "算了不问了", "好的知道了", "好的 谢谢 我不查了",
                 "取消吧 不要了"):
        assert not asks_something(text), text


def test_a_date_of_ones_own_and_a_question_when_is_a_calculation():
    from actions.calculators import asks_due_date
    assert asks_due_date("今儿个交的 最晚啥时候给我答复")
    assert asks_due_date("我11月3号当面交的 哪天到期")
    assert not asks_due_date("申请后多久答复")  # no date: the reply-deadline rule
    assert not asks_due_date("我11月3号交的申请")  # no question when
    assert asks_due_date("通知我16号就收到了 钱最晚哪天交")  # a bare day and what happened on it


def test_the_day_it_comes_to_is_no_subject_of_its_own():
    # after a look-up due on 30 November: 「到了30号还不给我咋办」 asks the case's remedies
    topic = context.Topic("case_status", "ZBSP-2026-0103", None,
                          "申请编号：ZBSP-2026-0103（淄博市行政审批服务局）\n依法应于2026年11月30日前答复")
    got = plan("到了30号还不给我咋办", topic)
    assert (got.kind, got.target) == ("case", "remedies")
    # nor the day it passes: 「过了30号还没动静我找谁」 (没动静: refused, before who)
    got = plan("过了30号还没动静我找谁", topic)
    assert (got.kind, got.target) == ("case", "remedies")


def test_a_look_ups_extension_and_restarted_period_are_asked_of_their_rules():
    # deadlines.yml: extension needs 负责人同意; correction_request: 重新计算（仍是20个工作日）
    topic = context.Topic("case_status", "ZDZF-2026-0212", None, "申请编号：ZDZF-2026-0212（张店区人民政府办公室）")
    got = plan("凭啥说延就延", topic)
    assert (got.kind, got.target) == ("faq", "extension")
    got = plan("补完了是不是又得等20天", topic)
    assert (got.kind, got.target, got.lines) == ("faq", "correction_request", ("重新计算",))


def test_a_remedys_last_day_after_a_look_up_is_counted_from_the_answer_day_shown():
    # data/demo/cases.json ZBSP-2026-0057: answered 2026-10-12 (its status line below); the 60 days
    # of a review run from the next day (复议法第二十条): 19 + 30 + 11 → 2026-12-11, hand-counted
    shown = ("申请编号：ZBSP-2026-0057（淄博市行政审批服务局）\n当前进度：已答复\n"
             "机关已于2026年10月12日作出答复（予以公开），请以答复书为准。")
    topic = context.Topic("case_status", "ZBSP-2026-0057", None, shown)
    got = plan("给的东西少了好几页 我要复议 最晚哪天", topic)
    assert (got.kind, got.target) == ("case_remedy_due", "10月12日收到的答复，给的东西少了好几页 我要复议 最晚哪天")
    assert context.case_answered_on(shown) == dt.date(2026, 10, 12)
    # a case not answered yet, or no remedy named: not this
    waiting = context.Topic("case_status", "ZBSP-2026-0101", None, "依法应于2026年12月18日前答复")
    assert plan("我要复议 最晚哪天", waiting).kind != "case_remedy_due"
    assert plan("最晚哪天", topic).kind != "case_remedy_due"
    assert context.case_answered_on("机关已于2026年13月40日作出答复") is None


def test_the_third_party_a_look_up_names_is_asked_of_the_consultation_rule():
    topic = context.Topic("case_status", "ZZSP-2026-0041", None, "申请编号：ZZSP-2026-0041（枣庄市行政审批服务局）")
    got = plan("那个第三方要是一直不回呢", topic)
    assert (got.kind, got.target) == ("faq", "third_party_consultation")
    # the sentence on a third party that does not reply (条例第三十二条, data/kb/faq)
    answer = KB.render("third_party_consultation", "zaozhuang_spj").text
    assert any("逾期不回复的，由机关依法决定是否公开" in s for s in context.sentences_with(answer, got.lines))


def test_when_after_the_receipt_rule_asked_with_dates_is_computed_from_those_dates():
    topic = context.Topic("receipt_date", "我11月3号发的邮件 他们5号才回的确认 按哪天算")
    got = plan("那最晚啥时候答复我", topic)
    assert got.kind == "due_date" and got.target.startswith(topic.question)
    # without dates told there is nothing to compute from: the rule's follow-ups apply
    assert plan("那最晚啥时候答复我", context.Topic("receipt_date", "邮件申请按哪天算收到")) is None or \
        plan("那最晚啥时候答复我", context.Topic("receipt_date", "邮件申请按哪天算收到")).kind != "due_date"



@pytest.mark.parametrize("text", ["回执找不着了 哪知道啥查询码", "我没有编号", "回执弄不见了", "单子不见了"])
def test_no_number_or_code_at_hand_in_the_look_up_is_told_where_to_find_them(text):
    from actions.case_status import _has_none
    assert _has_none(text)  # the form ends with where to find them and the phone, not a re-ask


def test_a_number_typed_is_no_missing_number():
    from actions.case_status import _has_none
    assert not _has_none("ZBSP-2026-0057 没带回执")  # a number given: checked, not explained


# ---- an information request that is an FAQ's question ----------------------------------------

def request_tracker(text, intent_confidence, *pairs):
    from rasa_sdk import Tracker

    latest = {"text": text, "intent": {"name": "ask_info_request", "confidence": intent_confidence},
              "response_selector": {"faq": {"ranking": [
                  {"intent_response_key": f"faq/{f}", "confidence": c} for f, c in pairs]}}}
    return Tracker("unit", {}, latest, [user(text, "ask_info_request")], False, None, {}, "action_listen")


def test_a_request_the_retrieval_is_much_surer_of_as_an_faq_is_that_faq():
    from actions.info_request import faq_instead

    # 「帮我统计下去年批了多少家饭店」 names no subject of info_subjects.yml; the retrieval's 0.95 for
    # no_processing is above 0.8 and above the intent's 0.49 (figures from /model/parse of the model
    # gongkai-7a3fb08c): the question is whether the agency compiles figures
    text = "想让审批局帮我统计下去年批了多少家饭店"
    assert faq_instead(request_tracker(text, 0.49, ("no_processing", 0.95), ("fee_per_page", 0.01))) \
        == "no_processing"
    # the intent surer than the retrieval, or the retrieval below 0.8: the request answer
    assert faq_instead(request_tracker(text, 0.97, ("no_processing", 0.95), ("fee_per_page", 0.01))) is None
    assert faq_instead(request_tracker(text, 0.4, ("no_processing", 0.7), ("fee_per_page", 0.01))) is None
    # a subject of its own (征收补偿方案 in info_subjects.yml) keeps the request answer
    assert faq_instead(request_tracker("我想要拆迁补偿方案", 0.4, ("which_agency", 0.9),
                                       ("fee_per_page", 0.01))) is None


def test_an_out_of_scope_reading_of_a_disclosure_question_answers_the_faq():
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    from actions.conversation import ActionOutOfScope

    # 信访 through a disclosure application: the classifier said out of scope, the retrieval
    # petition_via_disclosure at 0.43 (/model/parse, model gongkai-7a3fb08c), and the question
    # says 信息公开: petition_via_disclosure's answer (条例第三十九条), not 「超出了我的服务范围」
    text = ("上个月我以政府信息公开申请的形式，向审批局反映小区物业乱收费的问题，要求他们调查处理，"
            "结果对方回复说不作为信息公开申请处理。请问对方这样做对吗？")
    tracker = request_tracker(text, 1.0, ("petition_via_disclosure", 0.43), ("reading_room", 0.06),
                              ("complaint", 0.04))
    tracker.latest_message["intent"]["name"] = "out_of_scope"
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionOutOfScope().run(dispatcher, tracker, {}))
    assert [m.get("faq_id") for m in dispatcher.messages][:1] == ["petition_via_disclosure"]


def test_after_a_computed_date_when_again_is_the_same_calculation():
    topic = context.Topic("due_date", "我11月3号发的邮件 他们5号才回的确认 按哪天算", "zibo_spj")
    got = plan("那最晚啥时候答复我", topic)
    assert (got.kind, got.target) == ("due_date", topic.question)
    got = plan("延期的话最多到哪天", topic)
    assert (got.kind, got.target) == ("due_date_extension", topic.question)
    # what to do then, or a remedy's day, is not the reply's date again
    assert plan("到期了还不答复怎么办", topic) is None or plan("到期了还不答复怎么办", topic).kind != "due_date"
    assert plan("复议最晚哪天", topic) is None or plan("复议最晚哪天", topic).kind != "due_date"


def test_where_to_post_it_after_the_ways_to_submit_is_the_agencys_address():
    # followups.yml how_to_submit.contact: the card's 地址 line (agencies.yml: 西四路119号)
    got = plan("寄到哪个地址", context.Topic("how_to_submit", "我想寄信申请 信封上有啥讲究没", "zibo_spj"))
    assert (got.kind, got.target) == ("faq", "contact_info")
    lines = excerpt(got, "zibo_spj")
    assert any("西四路119号" in line for line in lines)


def test_a_detail_asked_again_is_the_line_given_before_with_its_source():
    # 枣庄's phone (agencies.yml: 0632-3168699) given two replies ago; the review answer since
    # then named no phone; 「他们电话再说一遍」 repeats the line that gave it, and its source
    events = [user("怎么交申请给他们"),
              bot("枣庄市行政审批服务局：\n· 电话：0632-3168699\n来源：枣庄市行政审批服务局年度报告"),
              user("超期不回我呢 找谁复议"),
              bot("复议机关是枣庄市人民政府。\n来源：《行政复议法》第二十四条"),
              user("他们电话再说一遍")]
    lines, source = context.said_again("他们电话再说一遍", events)
    assert lines == ["· 电话：0632-3168699"] and source == "来源：枣庄市行政审批服务局年度报告"
    # not asking again, or nothing given before: None
    assert context.said_again("他们电话多少", events) is None
    assert context.said_again("邮箱再说一遍", events) is None


def test_the_agency_that_made_it_named_after_an_information_request_is_where_to_apply():
    # the request's answer says "apply to the body whose seal is on it"; 「是市审批局批的」 names it
    # (市审批局: an alias of zibo_spj in agencies.yml): how to submit to that agency
    topic = context.Topic("info_request", "我想要我们小区当年的规划文件 该找谁申请", "zibo_spj")
    for text, named, name in (("是市审批局批的", "zibo_spj", "市审批局"), ("市审批局发的", "zibo_spj", "市审批局"),
                              ("张店区政府办做的", "zhangdian_gov", "张店区政府办"),
                              ("我们是张店区政府的", "zhangdian_gov", "张店区政府")):
        got = context.plan_follow_up(text, topic, named, [name], TODAY)
        assert (got.kind, got.target, got.agency) == ("faq", "how_to_submit", named), text
    # the retrieval sure of not_our_agency (0.54, /model/parse of 「我们是张店的」): still the name
    got = context.plan_follow_up("我们是张店的", topic, "zhangdian_gov", ["张店"], TODAY, sure_faq="not_our_agency")
    assert (got.kind, got.target, got.agency) == ("faq", "how_to_submit", "zhangdian_gov")
    # a fee stays a fee (the same everywhere): naming an agency asks nothing new of it
    assert context.plan_follow_up("市审批局的", context.Topic("fee", "10件多少钱", "zibo_spj"),
                                  "zibo_spj", ["市审批局"], TODAY) is None


def test_a_copy_of_the_form_after_where_to_get_it_is_the_guides_line_on_copies():
    # agencies.yml zibo_spj.application_form.copies: 复制（复印）的申请表同样有效 (S1)
    topic = context.Topic("application_form", "申请表在哪下啊", "zibo_spj")
    for text in ("复印的能用不", "复印的行不行"):
        got = plan(text, topic)
        assert (got.kind, got.target, got.lines) == ("faq", "application_form", ("复印",)), text
        lines = excerpt(got, "zibo_spj")
        assert any("同样有效" in line for line in lines)


def test_holidays_and_no_answer_on_the_spot_after_a_deadline_are_the_reply_deadlines_lines():
    # deadlines.yml reply_deadline: 「不能当场答复的，…20个工作日内答复（工作日不含周末和法定节假日）」
    computed = context.Topic("due_date", "九月二十四号我去西四路那交的申请 按规定最晚该是哪天", "zibo_spj")
    answered = context.Topic("reply_deadline", "能不能当场就给我啊", "zibo_spj")
    for text, topic in (("放假那些天不算吗", computed), ("国庆放假那几天呢", answered), ("当场给不了呢", answered)):
        got = plan(text, topic)
        assert (got.kind, got.target) == ("faq", "reply_deadline"), text
        lines = excerpt(got, "zibo_spj")
        assert lines and all("20个工作日" in line and "节假日" in line for line in lines), text


def test_reasons_the_wrong_agency_and_which_office_are_asked_of_their_rules():
    # followups.yml: reasons → exempt_info's 说明理由 line (条例第三十六条); wrong_agency →
    # not_our_agency; who after an information request → how_to_submit, which names 枣庄's office
    # (agencies.yml zaozhuang_spj.disclosure_office: 政策法规科)
    got = plan("他们要是不给 还不说为啥呢", context.Topic("contact_info", "区政府办电话多少", "zhangdian_gov"))
    assert (got.kind, got.target, got.lines) == ("faq", "exempt_info", ("说明理由",))
    got = plan("万一我找错单位了会咋样", context.Topic("which_agency", "那个文是好几个部门一块发的", "zibo_spj"))
    assert (got.kind, got.target) == ("faq", "not_our_agency")
    topic = context.Topic("info_request", "想要商品房预售许可的材料 枣庄的 找谁", "zaozhuang_spj")
    got = plan("他们哪个科管这事", topic)
    assert (got.kind, got.target) == ("faq", "how_to_submit")
    assert "政策法规科" in KB.render("how_to_submit", "zaozhuang_spj").text


def test_has_it_an_email_after_the_complaint_body_is_that_bodys_line():
    # followups.yml complaint.contact: the 针对… line, which carries the body's 邮箱 (agencies.yml)
    got = plan("有邮箱吗 我写个材料发过去", context.Topic("complaint", "我要举报审批局信息公开这块", "zibo_spj"))
    assert (got.kind, got.target) == ("faq", "complaint")
    lines = excerpt(got, "zibo_spj")
    assert any("zwgkb@zb.shandong.cn" in line for line in lines)


def test_asking_by_the_hotline_after_it_is_not_an_application_is_what_it_is_for():
    # contacts.yml hotline_2512345: 「…用于审批服务咨询…，不是政府信息公开的申请渠道」
    topic = context.Topic("hotline_2512345", "打2512345直接报个申请中不中", "zibo_spj")
    got = plan("那我问审批上的事打这个号行吗", topic)
    assert (got.kind, got.target, got.lines) == ("faq", "hotline_2512345", ("咨询",))


def test_a_place_with_its_kind_of_body_or_a_correction_is_a_name_alone():
    # 「枣庄那个审批局呢」 after the card, 「我说错了 是张店的」 after a report's fee: the same FAQ
    # for the agency the place names (agencies.yml: 枣庄… and 张店… each start one agency's name)
    got = plan("枣庄那个审批局呢", context.Topic("contact_info", "审批局电话给个", "zibo_spj"),
               "zaozhuang_spj", ["枣庄"])
    assert (got.kind, got.target, got.agency) == ("faq", "contact_info", "zaozhuang_spj")
    got = plan("我说错了 是张店的", context.Topic("fee_practice", "枣庄审批局收过信息公开的钱没有", "zaozhuang_spj"),
               "zhangdian_gov", ["张店"])
    assert (got.kind, got.target, got.agency) == ("faq", "fee_practice", "zhangdian_gov")
    # a place with more than a name: not a name alone
    assert not context.only_names("枣庄那个审批局几点上班", ["枣庄"])


def test_a_complaint_of_no_answer():
    follow = context.followups()
    assert context.tells_of_no_answer("我申请了三个多月了根本没人理我", follow)
    assert context.tells_of_no_answer("交了一个多月了一直没动静", follow)
    assert context.tells_of_no_answer("都超期了", follow)
    assert not context.tells_of_no_answer("我的申请到哪一步了", follow)
    assert not context.tells_of_no_answer("", follow)


def test_whether_a_remedy_has_a_time_limit_is_how_long_it_is():
    # review.how_long: the 60日内 line (复议法第二十条); the complaint's own time_limit stays its own
    # (followups.yml complaint.time_limit: 条例没有规定期限)
    got = plan("有没有时间限制", context.Topic("review", "复议找区政府还是找市政府", "zhangdian_gov"))
    assert (got.kind, got.target, got.lines) == ("faq", "review", ("期限", "60日内"))
    got = plan("有没有时间限制", context.Topic("complaint", "去哪投诉", "zibo_spj"))
    assert (got.kind, got.target, got.lines) == ("faq", "complaint", ("期限",))


def test_whether_a_complaint_gets_the_information_is_its_effect():
    # remedies.yml complaint: 「投诉举报不会直接改变答复结果」
    got = plan("投诉完了他们就得给我公开了？", context.Topic("complaint", "投诉的话往哪投", "zibo_spj"))
    assert (got.kind, got.target, got.lines) == ("faq", "complaint", ("不会直接改变", "要改变答复"))
    # and what does change it: 「要改变答复，请在期限内申请行政复议或提起行政诉讼。」
    lines = excerpt(got, "zibo_spj")
    assert any("复议" in line for line in lines)


def test_a_decision_not_to_disclose_is_review_first_not_silence():
    # 「说不给」 is a decision (不予公开: 复议法第二十三条, review_mandatory), 「一直不给」 silence
    # (overdue remedies: followups.yml due_date / reply_deadline refused)
    topic = context.Topic("due_date", "我12号上午自己送过去的 他们最晚啥时候得答复我", "zibo_spj")
    got = plan("要是到时候说不给呢", topic)
    assert (got.kind, got.target) == ("faq", "review_mandatory")
    got = plan("要是到时候一直不给呢", context.Topic("reply_deadline", "多久答复", "zibo_spj"))
    assert (got.kind, got.target) == ("message", "overdue_remedies")


def test_whether_a_correction_is_still_owed_is_the_notices_seven_days():
    # deadlines.yml correction_request: 「…自收到申请之日起7个工作日内一次性告知需要补正的事项…」
    topic = context.Topic("correction_request", "要补正的话他们得多长时间内告诉我", "zibo_spj")
    got = plan("都过了一个礼拜了也没通知 那是不是就不用补了", topic)
    assert (got.kind, got.target, got.lines) == ("faq", "correction_request", ("一次性告知",))
    lines = excerpt(got, "zibo_spj")
    assert any("7个工作日" in line for line in lines)


def test_a_detail_of_the_agencys_card_asked_for_in_so_many_words():
    # the card's fields (followups.yml fields) with a request for them: nothing needs to have been
    # said before (「再给我说一遍」 of a detail never given) and the retrieval may be unsure
    assert context.card_request("审批局地址再给我说一遍", context.followups()) == ("地址",)
    assert context.card_request("行 审批局电话给我留一个 我先打过去问问", context.followups()) == ("电话",)
    assert context.card_request("如以电子邮件方式提交，邮箱地址是？", context.followups()) == ("邮箱",)
    # no request word, another body's detail, or no field: not the card
    assert context.card_request("审批局电话能申请吗", context.followups()) == ()
    assert context.card_request("复议机关电话告诉我", context.followups()) == ()
    assert context.card_request("法院地址是多少", context.followups()) == ()
    assert context.card_request("再给我说一遍", context.followups()) == ()


def test_the_situation_and_where_to_sue_after_a_due_date_leans_on_it():
    # long, no cue word, and 延期 resembles the extension FAQ: still the remedy asked in the topic
    topic = context.Topic("due_date", "他们说要延期 那最晚到啥时候", "zhangdian_gov")
    got = plan("延期完了还不给 我去哪告", topic)
    assert (got.kind, got.target) == ("faq", "litigation")
    # where, and by when: remedies.yml litigation 「直接起诉：自知道…之日起6个月内」
    lines = excerpt(got, "zhangdian_gov")
    assert any("法院" in line for line in lines) and any("6个月" in line for line in lines)
    # only the situation told of a remedy: whether it applies is the FAQ's own question
    topic = context.Topic("process_info", "我们公司被罚了款 想要当时执法的那些材料", "zibo_spj")
    assert context.plan_follow_up("不给的话我能复议吗", topic, None, [], TODAY, sure_faq="review") is None


def test_the_situation_and_a_remedy_named_gets_that_remedys_answer():
    # litigation has no follow-up for 不给 (followups.yml): the whole litigation answer
    topic = context.Topic("info_request", "我想看看隔壁老王家盖房批的那些材料 能给我不", "zibo_spj")
    got = context.plan_follow_up("真不给的话 我去法院告行不", topic, None, [], TODAY, sure_faq="litigation")
    assert (got.kind, got.target, got.lines) == ("faq", "litigation", ())


def test_a_follow_up_naming_the_sure_faqs_subject_is_that_question():
    # cue (他们) and 不给 (refused) after a request, but 过程性 names process_info's subject
    # (followups.yml own_subjects) and the retrieval is sure of process_info (0.78, /model/parse)
    topic = context.Topic("info_request", "我想要街道开会定拆迁那次的会议纪要 能申请不", "zibo_spj")
    text = "他们回我说是过程性信息不给 这说得过去吗"
    assert context.plan_follow_up(text, topic, None, [], TODAY, sure_faq="process_info") is None
    # without the retrieval's word on it, the follow-up stands
    assert context.plan_follow_up(text, topic, None, [], TODAY) is not None


def test_what_time_someone_is_there_after_the_card_is_the_office_hours():
    got = plan("几点有人", context.Topic("contact_info", "枣庄审批局电话多少", "zaozhuang_spj"))
    assert (got.kind, got.target) == ("faq", "office_hours")


def test_an_applicant_who_finds_writing_hard_is_told_of_oral_applications():
    from bot.content import info_requests
    # 条例第二十九条 (口头提出，代为填写) and 第四十三条 (必要的帮助)
    got = info_requests.answer(KB, "我岁数大了眼神不好 打字太费劲了 我想要个文件不知道咋弄", "zibo_spj")
    assert "口头提出申请" in got.text and "必要的帮助" in got.text
    assert "《政府信息公开条例》第四十三条" in got.sources
    assert "口头提出申请" not in info_requests.answer(KB, "我想要个文件", "zibo_spj").text


def test_a_follow_up_the_topic_answers_is_not_a_request_for_advice():
    from rasa_sdk import Tracker

    from actions.handoff import asks_what_topic_answers

    # urge (快点) is a kind the review topic answers (followups.yml review.urge: 简易程序)
    events = [user("复议要多久出结果"), bot("……", topic="review", topic_question="复议要多久出结果"),
              user("信息公开这种的是不是能快点", "ask_dispute_advice")]
    tracker = Tracker("unit", {}, {"text": "信息公开这种的是不是能快点"}, events, False, None, {}, "action_listen")
    assert asks_what_topic_answers(tracker, "信息公开这种的是不是能快点")
    assert not asks_what_topic_answers(tracker, "他们这样做合法吗")


def test_the_review_body_not_answering_after_suing_after_review():
    # followups.yml: 复议 names review; 不理 is review.refused → litigation_after_review, whose
    # answer gives the 15 days after the review period ends (复议法第三十四条, 行诉法第四十五条)
    got = plan("复议机关到时间了也不理我呢",
               context.Topic("litigation_after_review", "复议的时候能同时去法院起诉不", "zibo_spj"))
    assert (got.kind, got.target) == ("faq", "litigation_after_review")
    assert "15日" in KB.render("litigation_after_review", "zibo_spj").text


def test_not_supplying_the_correction_is_its_consequence_not_the_agencys_lateness():
    # 条例第三十条: 无正当理由逾期不补正的，视为放弃申请 (correction_request's answer)
    got = context.plan_follow_up("我要是不补呢", context.Topic("case_status", "", None, CASE_SHOWN), None, [],
                                 TODAY)
    assert (got.kind, got.target) == ("faq", "correction_request")
    lines = excerpt(got, "zibo_spj")
    assert any("视为放弃" in line for line in lines)


def test_not_supplying_the_correction_after_any_topic():
    got = plan("我要是不补呢", context.Topic("reply_deadline", "补完了是不是又得等20天", "zibo_spj"))
    assert (got.kind, got.target) == ("faq", "correction_request")


def test_another_figure_of_the_report_is_not_the_correction_rule():
    # 逾期不补正 is a report category (annual_reports.yml other_overdue_correction)
    got = plan("逾期不补正的呢", context.Topic("annual_report", "张店区政府办2023年有几件是当成信访投诉不处理的",
                                           "zhangdian_gov"))
    assert got.kind == "report"


@pytest.mark.parametrize("text", ["不交会咋样", "这钱怎么交 交给谁"])
def test_paying_after_a_look_up_is_the_fee_payment_rule(text):
    # followups.yml case_status.pay: fee_payment (收到收费通知次日起20个工作日, 逾期视为放弃)
    got = context.plan_follow_up(text, context.Topic("case_status", "", None, CASE_SHOWN), None, [], TODAY)
    assert (got.kind, got.target) == ("faq", "fee_payment")


def test_whether_a_refusal_must_give_reasons():
    # exempt_info's answer: 机关决定不予公开的，应当告知并说明理由 (条例第三十六条)
    got = plan("那他们不给的话得说理由吧", context.Topic("info_request", "区里开会的会议纪要能申请公开吗",
                                                   "zhangdian_gov"))
    assert (got.kind, got.target) == ("faq", "exempt_info")
    assert any("说明理由" in line for line in
               excerpt(got, "zhangdian_gov"))


def test_a_first_question_is_answered_when_the_wording_classifier_names_the_retrievals_first():
    # /model/parse (gongkai-7a3fb08c): how_to_submit 0.36, excessive_requests 0.10 — unsure; the
    # rapidfuzz closeness is 48 (< 50: no agreement); the SVM over the FAQ questions says
    # how_to_submit (its examples speak of 信封 and 寄)
    text = "我想寄信申请 信封上有啥讲究没"
    unsure = ranking(("how_to_submit", 0.36), ("excessive_requests", 0.10))
    assert faq.wording_classifier().best(text) == "how_to_submit"
    assert faq.decide(unsure, text, first_question=True) == ("answer", "how_to_submit")
    # a follow-up asks, unless the topic leads to that FAQ (followups.yml related)
    assert faq.decide(unsure, text)[0] == "ask"
    assert faq.decide(unsure, text, related=["how_to_submit"]) == ("answer", "how_to_submit")
    # too few words (「寄过去行吗」, 5 < 8 characters) or a hopeless retrieval (0.08 < 0.1): asks
    assert faq.decide(unsure, "寄过去行吗", first_question=True)[0] == "ask"
    hopeless = ranking(("how_to_submit", 0.08), ("excessive_requests", 0.07))
    assert faq.decide(hopeless, text, first_question=True)[0] == "ask"


@pytest.mark.parametrize("topic", ["fee", "fee_per_item", "fee_principle"])
@pytest.mark.parametrize("text", ["钱咋交 交给谁", "去哪交", "这钱怎么交"])
def test_after_a_fee_how_to_pay_is_the_payment_rule_not_how_to_submit(topic, text):
    got = plan(text, context.Topic(topic, "15件要多少钱"))
    assert (got.kind, got.target) == ("faq", "fee_payment")
    assert "缴纳方式" in got.lines  # the sentence naming how and where the fee is paid


def test_when_after_a_remedy_answer_computes_from_the_date_the_question_told():
    # 「…答复书于2026年10月16日送达。请问可否直接提起行政诉讼？」 answered by review_mandatory, then
    # 「行政复议申请期限截至何日？」: the dates told with the first question, computed
    first = "委托人的答复书于2026年10月16日送达。请问可否直接提起行政诉讼？"
    got = plan("行政复议申请期限截至何日？", context.Topic("review_mandatory", first))
    assert (got.kind, got.topic) == ("due_date", "due_date")
    assert got.target.startswith(first)
    # the first answer was about something else (商业秘密), the retrieval is sure the question is review's
    got = context.plan_follow_up("行政复议申请期限截至何日？", context.Topic("third_party_privacy", first),
                                 None, [], TODAY, sure_faq="review")
    assert (got.kind, got.topic) == ("due_date", "due_date")


def test_a_computed_remedy_leaves_the_conversation_in_that_remedy():
    # a history from the reply on is about the review (and suing); from the review decision, about
    # suing after it; anything told of the application itself keeps the due-date calculation
    import datetime as dt

    from actions.calculators import timeline_topic

    day = dt.date(2026, 10, 23)
    assert timeline_topic({"reply_received_on": day}) == "review"
    assert timeline_topic({"review_decision_received_on": day}) == "litigation_after_review"
    assert timeline_topic({"submitted_on": day, "reply_received_on": day}) == "due_date"
    assert timeline_topic({"channel": "in_person"}) == "due_date"
    # then 「交给谁」「能寄过去不」 ask of the review, 「那告谁」 of suing after it
    assert plan("交给谁", context.Topic("review", "答复10月23号收到的 复议最晚哪天")).lines == ("复议机关",)
    assert plan("能寄过去吗", context.Topic("review", "…")).lines == ("方式",)
    assert plan("那告谁 告审批局还是告市政府",
                context.Topic("litigation_after_review", "…")).lines == ("被告",)


def test_urging_with_no_case_looked_up_gets_the_agency_to_call():
    got = plan("能催一下吗", context.Topic("extension", "他们能延期吗"))
    assert (got.kind, got.target) == ("faq", "contact_info")


def test_naming_another_agency_after_a_computed_date_gives_the_dates_for_it():
    topic = context.Topic("due_date", "10月26日当面递交的 最晚哪天答复")
    got = plan("我说的是枣庄审批局", topic, "zaozhuang_spj", ["枣庄审批局"])
    assert (got.kind, got.agency, got.target) == ("due_date", "zaozhuang_spj", topic.question)


def test_a_computed_answer_names_the_agency_when_the_citizen_did(monkeypatch):
    import datetime as dt

    from actions.calculators import due_date_answer
    from bot.core import clock

    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 11, 23))
    # in person Mon 26 Oct: 27–30 (4), 2–6 Nov (9), 9–13 (14), 16–20 (19), Mon 23 Nov (20)
    answer, _ = due_date_answer("10月26日当面递交的 最晚哪天答复", "zaozhuang_spj", name_agency=True)
    assert answer.startswith("枣庄市行政审批服务局：") and "答复期限：2026年11月23日" in answer
    assert not due_date_answer("10月26日当面递交的", "zaozhuang_spj")[0].startswith("枣庄")


def test_whether_a_complaint_has_a_time_limit():
    # complaint's answer: 条例没有规定投诉举报的期限
    got = plan("投诉有没有时间限制", context.Topic("complaint", "能发邮件投诉不"))
    assert (got.kind, got.target, got.lines) == ("faq", "complaint", ("期限",))


@pytest.mark.parametrize("text, kind", [
    ("现在都超了快三个礼拜了 咋办", "message"),  # 超了, and how long it has been: overdue remedies
    ("30号那天要是还没给呢", "message"),  # 还没给: not answered
    ("到时候会不会再延一回", "due_date_extension"),  # 再延: the latest day with an extension
])
def test_after_a_computed_date_what_if_late_or_extended(text, kind):
    topic = context.Topic("due_date", "9月30号在市审批局窗口交的申请 啥时候到期")
    assert plan(text, topic).kind == kind


def test_an_agency_named_again_gets_its_own_line_not_another_bodys():
    # the complaint body's address (人民西路8号) was the latest address given; 「审批局地址再给我说
    # 一遍」 names the agency: its own card's line (西四路119号, FACTS §5 row 1), given earlier
    events = [user("审批局在哪"),
              bot("淄博市行政审批服务局：\n· 地址：淄博市张店区西四路119号\n来源：服务指南"),
              user("超期了去哪投诉"),
              bot("到期仍未答复的，您可以：\n1. 投诉举报：向淄博市人民政府办公室反映，地址淄博市张店区人民西路8号。"),
              user("审批局地址再给我说一遍")]
    lines, _ = context.said_again("审批局地址再给我说一遍", events, "zibo_spj")
    assert lines == ["· 地址：淄博市张店区西四路119号"]
    # nothing of that agency's given before: None (answered as a question)
    assert context.said_again("审批局地址再给我说一遍", events[2:], "zibo_spj") is None


def test_an_excerpt_answering_a_follow_up_does_not_recompute_the_topics_date(monkeypatch):
    # 「复议找谁」 after 「答复10月23号收到的 复议最晚哪天」: the review body's lines, not the date
    # again (the follow-up's plan passes the topic's question); the whole answer to the question
    # itself still carries the computed day (60 days from 23 Oct: 22 Dec)
    import asyncio
    import datetime as dt

    from rasa_sdk.executor import CollectingDispatcher

    from actions import faq
    from bot.core import clock

    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 11, 23))
    question = "答复10月23号收到的 复议最晚哪天"

    def replies(lines):
        dispatcher = CollectingDispatcher()
        asyncio.run(faq.answer_faq(dispatcher, tracker_after([], "复议找谁"), "review", "zibo_spj",
                                   question, lines))
        return "\n".join(m.get("text") or "" for m in dispatcher.messages)

    assert "2026年12月22日" not in replies(("复议机关",))
    assert "2026年12月22日" in replies(())


def test_the_phone_as_the_way_something_was_said_is_not_asking_for_a_phone():
    # 「他们电话里说要延期」: 延期 is asked about (after a computed date: the extended day, with
    # 负责人同意并告知), not the agency's phone
    f = context.followups()
    assert context.follow_up_kind("他们电话里说要延期 可我啥书面通知也没收到", f) == "extend"
    assert context.follow_up_kind("区里来电话说收着了", f) != "contact"
    assert context.follow_up_kind("他们电话多少", f) == "contact"


def test_supplying_the_correction_late_is_its_consequence():
    # correction_request's answer: 逾期不补正的，视为放弃申请
    got = plan("补晚了会咋样", context.Topic("correction_request", "让我补正怎么办"))
    assert (got.kind, got.target) == ("faq", "correction_request") and "逾期不补正" in got.lines


def test_their_section_s_phone_is_the_agency_s_card():
    # 「他们科室电话多少来着」 after the complaint body: the agency's own section (政策法规科), not the body
    got = plan("他们科室电话多少来着", context.Topic("complaint", "到3号还没信儿 我上哪投诉他们", "zaozhuang_spj"))
    assert (got.kind, got.target) == ("faq", "contact_info")


@pytest.mark.parametrize("text, line", [("那家要是不同意公开呢", "公共利益"), ("那家企业多长时间得回话", "15个工作日")])
def test_the_party_consulted_after_a_look_up_is_the_third_party(text, line):
    # third_party_consultation's answer: 15个工作日内回复; 不同意… 但…公共利益造成重大影响的，可以决定公开
    topic = context.Topic("case_status", "", None, "申请编号：ZZSP-2026-0041（枣庄市行政审批服务局）\n征求意见尚未回复")
    got = plan(text, topic)
    assert (got.kind, got.target) == ("faq", "third_party_consultation") and line in got.lines


# ---- whether a day is a working day (bench/dev/application_conversations.yml app-07) -------------

def test_a_day_asked_about_as_a_working_day_is_that_day():
    # TODAY is 2026-11-23: 「10月10号」 without a year is the latest 10 October not after it, 2026
    assert context.workday_asked("10月10号那个礼拜六也算工作日？", None, TODAY) == dt.date(2026, 10, 10)
    assert context.workday_asked("2026年10月3日放假吗", None, TODAY) == dt.date(2026, 10, 3)
    # a day of the history told (交的): a calculation, not this question
    assert context.workday_asked("3月2日交的申请，20个工作日是哪天", None, TODAY) is None
    assert context.workday_asked("期限是工作日还是自然日", None, TODAY) is None  # no day
    assert context.workday_asked("10月10号和10月11号算工作日吗", None, TODAY) is None  # two days
    # after a workday answer, the day alone with a cue asks it; after a due date it corrects the date
    assert context.workday_asked("那10月11号呢", context.Topic("workday"), TODAY) == dt.date(2026, 10, 11)
    assert context.workday_asked("那10月11号呢", context.Topic("due_date", "9月30号交的"), TODAY) is None


def test_after_the_review_answer_still_no_good_is_suing_after_the_review():
    # app-07: 「复议出来还是不行的话呢」 → the review topic's disagree: litigation_after_review (15日)
    got = plan("复议出来还是不行的话呢", context.Topic("review", "复议收钱不"))
    assert (got.kind, got.target) == ("faq", "litigation_after_review")


def test_within_how_long_to_file_after_the_review_answer_is_the_reviews_period():
    # app-38: the retrieval is sure of reply_deadline (「多长时间」), but nothing else is asked
    got = context.plan_follow_up("得在多长时间内提", context.Topic("review", "复议的话找枣庄哪个单位"), None, [],
                                 TODAY, sure_faq="reply_deadline")
    assert (got.target, got.lines) == ("review", ("期限", "60日内"))


@pytest.mark.parametrize("text", ["就这礼拜五了呗 礼拜五还没动静我咋整", "15号还拿不到东西 我找谁说理去"])
def test_no_answer_by_the_computed_day_and_where_to_turn_gets_the_remedies(text):
    # app-26, app-08: after a computed date, the citizen's no-answer and a plain "what now / whom":
    # the remedies for an overdue reply, whatever the retrieval makes of the words
    got = plan(text, context.Topic("due_date", "10月20号当面交的申请 最晚哪天"))
    assert (got.kind, got.target) == ("message", "overdue_remedies")


def test_after_a_third_party_secret_refusal_whether_the_company_was_asked_is_the_consultation():
    # app-18: then how long the company has and whether that time counts, in the consultation's topic
    got = plan("他们问过那家企业没有 人家不同意就不给？", context.Topic("third_party_privacy"))
    assert (got.target, got.lines, got.topic) == ("third_party_consultation", (), "third_party_consultation")
    got = plan("那家企业多长时间得回话", context.Topic("third_party_consultation"))
    assert excerpt(got, "zibo_spj")[0].endswith("第三方应自收到征求意见书之日起15个工作日内回复。")


def test_whether_the_day_of_going_there_counts_as_received_is_computed_from_it():
    # app-16: going there oneself tomorrow (TODAY 2026-11-23 → 24 November, in person)
    text = "我明儿上午就去 那明儿就算他们收着了吧"
    got = plan(text, context.Topic("office_hours", "上哪去说 几点有人"))
    assert (got.kind, got.target, got.topic) == ("due_date", text, "due_date")
    history = textparse.parse_history(text, TODAY)
    assert (history["channel"], history["received_on"]) == ("in_person", dt.date(2026, 11, 24))


def test_a_second_question_in_the_same_message_adds_the_other_faqs_line():
    # app-16: 「上哪去说 几点有人」 is answered with the office hours; 上哪 asks where: the address line
    follow = context.followups()
    assert context.also_asked("上哪去说 几点有人", "office_hours", follow) == [("contact_info", ("地址",))]
    assert context.sentences_with(KB.render("contact_info", "zibo_spj").text, ["地址"]) == [
        "· 地址：淄博市张店区西四路119号，邮编255022。"]  # the agency's card, agencies.yml
    assert context.also_asked("电话多少 几点有人接", "contact_info", follow)[0][0] == "office_hours"
    assert context.also_asked("你们几点上班", "office_hours", follow) == []  # one question
    # pub-submit-02: the mailbox (the card's 邮箱 line) and the subject line's marking, beside the
    # receipt date the retrieval answered
    asked = "应发送至哪个邮箱？邮件标题有无格式要求？另外邮件发出后如何确认对方已经收到？"
    assert context.also_asked(asked, "receipt_date", follow) == [("contact_info", ("邮箱", "主题", "邮件")),
                                                                  ("how_to_submit", ("注明",))]
    # of the card, only its 邮箱 line carries those words (agencies.yml: 淄博市行政审批服务局)
    assert context.sentences_with(KB.render("contact_info", "zibo_spj").text, ("邮箱", "主题", "邮件")) == [
        "· 邮箱：sxzspfwjbgs@zb.shandong.cn。"]


def test_among_them_after_a_report_figure_asks_another_figure_of_the_same_report():
    # app-31: 「其中」 leans on the report answered (2023), though the retrieval is sure of info_not_exist
    got = context.plan_follow_up("其中因本机关不掌握而无法提供的有多少件？",
                                 context.Topic("annual_report", "该办2023年度新收申请多少件？"), None, [],
                                 TODAY, sure_faq="info_not_exist")
    assert got.kind == "report" and "2023年" in got.target


def test_whether_a_correction_notice_came_in_time_after_a_look_up_is_computed_from_the_days_told():
    # app-34: 「10号收的」 is a day of the history (收的), so the days told are computed (the 7 working
    # days for the notice are in that answer: tests/unit/test_timeline_cases.py)
    text = "他们10号收的 13号才叫我补 这合规不"
    assert textparse.tells_a_day(text, TODAY)
    got = plan(text, context.Topic("case_status", "745397467344"))
    assert (got.kind, got.target) == ("due_date", text)


def test_follow_ups_from_the_citizen_set_round_4():
    due = context.Topic("due_date", "11月20号交的 今天打电话让我补正 这合规矩吗")
    # cit-deadline-18: the period after 补正 (a kind answered after any topic), though no cue
    got = plan("补完了是重新算时间吗", due)
    # by hand: correction_request's one sentence with 重新计算
    assert excerpt(got, "zibo_spj") == ["答复期限从机关收到补正后的申请之日起重新计算（仍是20个工作日）。"]
    # cit-deadline-16: by when to pay (fee_payment's two sentences, by hand from its answer)
    got = plan("那得多久内交上", context.Topic("fee_payment"))
    assert excerpt(got, "zibo_spj") == ["请在收到收费通知的次日起20个工作日内缴纳。",
                                        "逾期未缴的，视为放弃申请，机关不再处理。"]
    # cit-fee-01: 原则上不收费, then when it is charged: 条例第四十二条's 合理范围
    got = plan("那啥情况下收", context.Topic("fee_principle"))
    assert any("合理范围" in line for line in excerpt(got, "zibo_spj"))
    # cit-want-13: another form asked for after the form answer
    got = plan("电子版发邮箱行不", context.Topic("provision_form"))
    assert any("电子邮件" in line for line in excerpt(got, "zibo_spj"))
    # after a look-up, 「补完了 最晚哪天答复」 is still the case's due lines
    got = plan("补完了 最晚哪天答复", context.Topic("case_status", "745397467344"))
    assert (got.kind, got.target) == ("case", "due")


def test_still_in_time_for_a_review_after_an_answered_case_computes_from_its_answer_day():
    # cit-case-07: 来得及不 asks timing like 最晚哪天
    topic = context.Topic("case_status", "983873312170", None, "当前进度：已答复\n机关已于2026年10月12日作出答复")
    got = plan("给我的东西不全 我还能复议吗 来得及不", topic)
    assert got.kind == "case_remedy_due" and got.target.startswith("10月12日收到的答复，")


def test_by_post_or_in_person_after_the_review_body_and_the_envelope_after_a_posted_date():
    # app-19: 「能寄过去不 还是得本人跑一趟」 after the review body: the review's 方式 line
    got = plan("能寄过去不 还是得本人跑一趟", context.Topic("review", "交给谁"))
    assert (got.target, got.lines) == ("review", ("方式",))
    # app-13: what to write on the envelope, after a date computed for a registered letter: the
    # guide's two 注明 lines (by hand from how_to_submit for 淄博市行政审批服务局)
    got = plan("信封上是不是得写点啥 下回注意", context.Topic("due_date", "是邮寄的 挂号信 他们6号签的收"))
    lines = excerpt(got, "zibo_spj")
    assert len(lines) == 2 and "信封左下角注明“政府信息公开申请”字样" in lines[0] and "邮件主题注明" in lines[1]
    # 「邮件标题要写啥不」 after the ways to submit stays the e-mail line (channel before marking)
    assert plan("邮件标题要写啥不", context.Topic("how_to_submit")).lines == ("主题", "邮件")


def test_another_body_alone_asks_the_question_asked_before_of_that_body():
    # cit-agency-09: after a court's phone, 「市政府办公室的呢」 is the complaint body's phone lines
    got = plan("市政府办公室的呢", context.Topic("litigation", "张店区法院电话多少"))
    assert (got.target, got.lines) == ("complaint", ("电话", "联系方式"))
    lines = excerpt(got, "zibo_spj")
    assert any("0533-3183622" in line for line in lines)  # 淄博市人民政府办公室, the guide's card


def test_fee_relief_purpose_and_a_disagreement_with_information_does_not_exist():
    # cit-fee-06: relief is 未核实 in FACTS.md §2.3: the message says so and gives the free quotas
    got = plan("家里困难交不起 能减免不", context.Topic("fee_payment"))
    assert (got.kind, got.target) == ("message", "fee_relief")
    relief = KB.message("fee_relief", "zibo_spj")
    assert "未核实" in relief and "前10件免费" in relief and "30页以下（含30页）免费" in relief
    assert "可以减免" not in relief
    # cit-apply-05: whether the purpose must be stated, after who can apply: the 用途 sentence
    got = plan("用途要不要写清楚", context.Topic("who_can_apply"))
    assert excerpt(got, "zibo_spj") == ["现行《政府信息公开条例》不要求申请人说明用途，也不要求证明有“特殊需要”。"]
    # app-20: 「明明」 contradicts 信息不存在: the review
    got = plan("可那文件我明明在村委会墙上见过", context.Topic("info_not_exist"))
    assert (got.kind, got.target) == ("faq", "review")


def test_the_provinces_own_rules_after_the_fee_rules_are_its_collection_line():
    # cit-fee-08: 「山东自己有规定没」 → fee_payment's 在山东 sentence (鲁办通知: 非税收入 system)
    got = plan("山东自己有规定没", context.Topic("fee_principle"))
    assert excerpt(got, "zibo_spj") == [
        "在山东，信息处理费通过“山东省非税收入征收和财政票据信息管理系统”征收，开具山东省财政票据（电子），全额缴入国库。"]
