"""Parsing citizens' messages. ``TODAY`` is Friday 2026-03-20 unless a test says otherwise."""

import datetime as dt

import pytest

from bot.rules.textparse import (
    Quantity,
    chinese_number,
    parse_channel,
    parse_date,
    parse_dates,
    parse_quantities,
    parse_quantity,
)

D = dt.date
TODAY = D(2026, 3, 20)


# --- numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("35", 35),
        ("３５", 35),
        ("五", 5),
        ("十", 10),
        ("十五", 15),
        ("二十", 20),
        ("三十五", 35),
        ("一百", 100),
        ("两百", 200),
        ("一百零五", 105),
        ("一百二十", 120),
        ("一百二", 120),  # colloquial
        ("两千五", 2500),  # colloquial
        ("两千五百", 2500),
        ("一千零一十", 1010),
        ("一万", 10000),
        ("二〇二六", 2026),
        ("零", 0),
    ],
)
def test_chinese_number(text, value):
    assert chinese_number(text) == value


@pytest.mark.parametrize("text", ["", "三五", "十几", "多", "abc", "二六"])
def test_not_a_number(text):
    assert chinese_number(text) is None


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("我2026年2月5日当面交的申请，最晚哪天答复", D(2026, 2, 5)),
        ("挂号信3月2日寄出的，什么时候到期", D(2026, 3, 2)),
        ("2026-2-5交的", D(2026, 2, 5)),
        ("申请日期2026.02.05", D(2026, 2, 5)),
        ("2026/2/5", D(2026, 2, 5)),
        ("2026 年 2 月 5 日", D(2026, 2, 5)),
        ("我是2月5号去窗口交的", D(2026, 2, 5)),
        ("二月五日提交的", D(2026, 2, 5)),
        ("二〇二六年二月五日", D(2026, 2, 5)),
        ("2026年二月五号", D(2026, 2, 5)),
        ("26年2月5日", D(2026, 2, 5)),
        ("２０２６年２月５日", D(2026, 2, 5)),
        ("２月５日", D(2026, 2, 5)),
        ("３月２寄出的", D(2026, 3, 2)),  # no 日/号
        ("十二月二十五日寄的平信", D(2025, 12, 25)),  # no year: the most recent one
        ("12月25号", D(2025, 12, 25)),
        ("3月20日", D(2026, 3, 20)),  # today itself
        ("3月21日", D(2025, 3, 21)),  # tomorrow's date → last year
        ("2月29日", D(2024, 2, 29)),  # the latest 29 February
        ("2025年9月30日", D(2025, 9, 30)),
        ("今天刚交", TODAY),
        ("今日递交", TODAY),
        ("我昨天当面递交的", D(2026, 3, 19)),
        ("前天寄出", D(2026, 3, 18)),
        ("大前天发的邮件", D(2026, 3, 17)),
        ("今天问一下，我2月5日交的", D(2026, 2, 5)),  # an explicit date wins
        ("2月30日，不对，是2月3日", D(2026, 2, 3)),  # impossible dates are skipped
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "最晚哪天答复？",
        "20个工作日是多久",
        "条例第三十三条怎么规定的",
        "收费3.5元一页吗",
        "2026年13月1日",
        "2026年2月30日",
        "5月份交的",
        "上周五交的",  # not supported: the assistant asks for the date
        "2026.2",
        "一个月申请35件要多少钱",
    ],
)
def test_no_date(text):
    assert parse_date(text, TODAY) is None


def test_year_boundary():
    assert parse_date("12月30日交的", D(2026, 1, 3)) == D(2025, 12, 30)
    assert parse_date("1月2日交的", D(2026, 1, 3)) == D(2026, 1, 2)


def test_parse_dates_in_written_order():
    assert parse_dates("3月2日寄的挂号信，3月4日对方签收", TODAY) == [D(2026, 3, 2), D(2026, 3, 4)]
    assert parse_dates("昨天收到补正通知，2月5日交的申请", TODAY) == [D(2026, 3, 19), D(2026, 2, 5)]
    assert parse_dates("没有日期", TODAY) == []


# --- channel --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, channel",
    [
        ("我2026年2月5日当面交的申请，最晚哪天答复", "in_person"),
        ("到现场交的", "in_person"),
        ("在政务大厅窗口交的", "in_person"),
        ("我亲自送过去的", "in_person"),
        ("递交了申请表", "in_person"),
        ("当面递交", "in_person"),
        ("挂号信3月2日寄出的，什么时候到期", "registered_mail"),
        ("用EMS寄的", "registered_mail"),
        ("ＥＭＳ寄出", "registered_mail"),
        ("快递寄过去的", "registered_mail"),
        ("发的特快专递", "registered_mail"),
        ("寄的挂号邮件", "registered_mail"),
        ("寄了一封平信", "ordinary_mail"),
        ("普通信件寄的", "ordinary_mail"),
        ("平邮寄出", "ordinary_mail"),
        ("发邮件申请的", "email"),
        ("发到他们邮箱了", "email"),
        ("用电子邮件提交", "email"),
        ("E-mail申请的", "email"),
        ("email过去的", "email"),
        ("在网站上找到邮箱，发邮件申请的", "email"),  # a specific channel beats a place
        ("网上申请的", "online"),
        ("通过市政府网站的网上申请平台提交", "online"),
        ("在线提交", "online"),
        ("网申的", "online"),
        ("网上递交的", "online"),  # 递交 is weaker than 网上
        ("传真过去的", "fax"),
        ("用传真发给信息公开办", "fax"),
    ],
)
def test_parse_channel(text, channel):
    assert parse_channel(text) == channel


@pytest.mark.parametrize(
    "text",
    [
        "最晚哪天答复",
        "寄过去的",  # post, but signed-for or not? ask
        "写信申请的",
        "不是挂号，是平信",  # contradicting specifics: ask
        "在网上下载表格后到窗口交",  # two generic channels: ask
        "",
    ],
)
def test_parse_channel_none(text):
    assert parse_channel(text) is None


# --- quantity -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("一个月申请35件要多少钱", (35, "件")),
        ("材料120页收多少", (120, "页")),
        ("我这个月申请了三十五件", (35, "件")),
        ("一百二十页怎么收费", (120, "页")),
        ("复印了两百五十张", (250, "页")),
        ("共计1,200页", (1200, "页")),
        ("一共3份申请", (3, "件")),
        ("申请了15条信息", (15, "件")),
        ("这个月已经１２件了", (12, "件")),
        ("一百零五页", (105, "页")),
        ("两百页", (200, "页")),
        ("一百二页", (120, "页")),
        ("0件", (0, "件")),
        ("35 件", (35, "件")),
    ],
)
def test_parse_quantity(text, expected):
    assert parse_quantity(text) == Quantity(*expected)


@pytest.mark.parametrize(
    "text",
    [
        "要多少钱",
        "第31件开始怎么收费",  # an ordinal, not a count
        "条例第三十三条",
        "材料有100多页",  # vague: ask
        "申请了十几件",
        "大概三五件",
        "1.5页",
        "20个工作日",
        "一个月",
    ],
)
def test_parse_quantity_none(text):
    assert parse_quantity(text) is None


def test_parse_quantities_all_in_order():
    assert parse_quantities("35件，共120页") == [Quantity(35, "件"), Quantity(120, "页")]


def test_quantity_is_a_tuple():
    count, unit = parse_quantity("材料120页收多少")
    assert (count, unit) == (120, "页")


# --- together -------------------------------------------------------------------------------------


def test_canonical_question_end_to_end():
    from bot.rules.deadlines import compute_deadline, receipt_info
    from bot.rules.fees import calculate_fee

    text = "我2026年2月5日当面交的申请，最晚哪天答复"
    info = receipt_info(parse_channel(text), parse_date(text, TODAY))
    assert info.fixed
    assert compute_deadline(info.receipt_date, [], today=TODAY).due_date == D(2026, 3, 11)
    assert calculate_fee(*parse_quantity("一个月申请35件要多少钱")).total == 3000
    assert calculate_fee(*parse_quantity("材料120页收多少")).total == 1100


# --- parse_history: a described history, clause by clause --------------------------------------------

from bot.rules.textparse import parse_history  # noqa: E402

HT = dt.date(2026, 11, 23)


def test_history_of_the_lawyers_message():
    facts = parse_history("当事人2026年11月3日邮寄的挂号信，11月5日机关签收，补正通知11月10日收到，"
                          "11月12日补正寄回，11月14日签收，最晚哪天答复", HT)
    assert facts == {
        "channel": "registered_mail",
        "submitted_on": dt.date(2026, 11, 3),
        "received_on": dt.date(2026, 11, 5),
        "correction_requested_on": dt.date(2026, 11, 10),
        "correction_sent_on": dt.date(2026, 11, 12),
        "correction_received_on": dt.date(2026, 11, 14),
    }


@pytest.mark.parametrize("text, kind", [
    ("我8月2日收到了答复，说不予公开", "withheld"),
    ("我3月2日收到不予公开的答复", "withheld"),
    ("8月2日拿到答复书，部分公开", "partially_disclosed"),
    ("8月2日收到答复，说信息不存在", "not_exist"),
])
def test_a_received_reply_is_a_reply_date_not_a_submission(text, kind):
    facts = parse_history(text, HT)
    assert "submitted_on" not in facts
    assert facts["reply_received_on"].day == 2 and facts["reply_type"] == kind


def test_consultation_and_extension_dates():
    facts = parse_history("5月6日网上提交，5月7日确认，5月20日征求第三方意见，6月3日第三方回复了，"
                          "6月10日收到延期通知", HT)
    assert facts["channel"] == "online"
    assert facts["received_on"] == dt.date(2026, 5, 7)
    assert facts["consultations"] == [(dt.date(2026, 5, 20), dt.date(2026, 6, 3))]
    assert facts["extension_on"] == dt.date(2026, 6, 10)


def test_a_bare_day_takes_the_month_of_the_fact_it_corrects():
    known = {"submitted_on": dt.date(2026, 11, 3), "received_on": dt.date(2026, 11, 5)}
    facts = parse_history("不对，是13号签收的", HT, known)
    assert facts == {"corrective": True, "received_on": dt.date(2026, 11, 13)}


def test_after_a_correction_request_a_signing_is_the_corrected_applications():
    known = {"received_on": dt.date(2026, 11, 5), "correction_requested_on": dt.date(2026, 11, 10)}
    assert parse_history("11月14日签收", HT, known) == {"correction_received_on": dt.date(2026, 11, 14)}


def test_remedy_not_stated():
    assert parse_history("3月2日收到答复，答复书没有告知复议权利", HT)["remedy_stated"] is False


def test_yearless_dates_follow_the_year_written_earlier_in_the_history():
    # Asked on 2026-06-01 about a described 2026 autumn: 「11月5日」 is 2026, 「1月4日」 after December is 2027.
    facts = parse_history("2026年12月28日寄的挂号信，12月30日签收，1月4日收到补正通知", dt.date(2026, 6, 1))
    assert facts["submitted_on"] == dt.date(2026, 12, 28)
    assert facts["received_on"] == dt.date(2026, 12, 30)
    assert facts["correction_requested_on"] == dt.date(2027, 1, 4)


@pytest.mark.parametrize("text, expected", [
    # a space between words separates clauses like a comma
    ("3月10号寄的挂号信 对方3月12号签收 啥时候到期",
     {"channel": "registered_mail", "submitted_on": dt.date(2026, 3, 10), "received_on": dt.date(2026, 3, 12)}),
    # 「回复确认」 is the agency's confirmation, not its reply
    ("邮件是2025年12月1日发的，12月3日他们回复确认了，最晚几号给答复",
     {"channel": "email", "submitted_on": dt.date(2025, 12, 1), "received_on": dt.date(2025, 12, 3)}),
    # two dates in one clause
    ("我3月2日寄出3月5日签收",  # posted (寄出), kind not said: mail
     {"channel": "mail", "submitted_on": dt.date(2026, 3, 2), "received_on": dt.date(2026, 3, 5)}),
    # a hypothetical extension is not an extension notice
    ("我是2026年2月9日交的 如果延期的话最晚到哪天", {"submitted_on": dt.date(2026, 2, 9)}),
    # a clause without a date describes the next date
    ("补正通知 11月10日收到", {"correction_requested_on": dt.date(2026, 11, 10)}),
])
def test_history_clauses(text, expected):
    assert parse_history(text, HT) == expected


def test_a_correction_supplied_after_the_notice_words_and_its_same_day_receipt():
    # 「让我补材料」 names the notice, but the date is the day the citizen supplied it (补上了); 「当天」
    # is that same day, confirmed by the agency: the corrected application was received 11月2日
    from bot.rules.textparse import parse_history

    facts = parse_history("网上申请的 让我补材料 我11月2号补上了 他们当天就确认收到了 现在期限咋算",
                          dt.date(2026, 11, 23))
    assert facts == {"channel": "online", "correction_sent_on": dt.date(2026, 11, 2),
                     "correction_received_on": dt.date(2026, 11, 2)}
    # the notice alone is still the notice
    assert parse_history("11月2号让我补材料", dt.date(2026, 11, 23)) == {
        "correction_requested_on": dt.date(2026, 11, 2)}


@pytest.mark.parametrize("text", [
    "11月16日收到收费通知，最晚哪天交钱",
    "收费通知16号收到的 钱最晚哪天交",
    "通知我16号就收到了 钱最晚哪天交",
    "缴费通知书是16号拿到的，什么时候之前要缴费",
])
def test_the_fee_notices_receipt_is_its_own_fact(text):
    # today 23 Nov 2026: a bare 16号 is 16 Nov (today's month: nothing else was told)
    facts = parse_history(text, dt.date(2026, 11, 23))
    assert facts.get("fee_notice_received_on") == dt.date(2026, 11, 16)
    assert "submitted_on" not in facts


def test_a_notice_without_fee_words_is_not_a_fee_notice():
    facts = parse_history("11月2日交的申请，11月10日收到补正通知", dt.date(2026, 11, 23))
    assert "fee_notice_received_on" not in facts
    assert facts["submitted_on"] == dt.date(2026, 11, 2)


@pytest.mark.parametrize("text, told", [
    ("通知我16号就收到了 钱最晚哪天交", True),       # a bare day of an event the citizen tells
    ("我是3号交上去的 最晚啥时候给答复", True),
    ("11月3号寄的，啥时候到期", True),                 # a full date, as before
    ("3号窗口最晚几点下班", False),                    # a counter's number, no event
    ("第16条说的期限是多少", False),
])
def test_tells_a_day(text, told):
    from bot.rules.textparse import tells_a_day

    assert tells_a_day(text, dt.date(2026, 11, 23)) is told


# today Mon 23 Nov 2026; each expected date read off the message by hand
@pytest.mark.parametrize("text, expected", [
    # a weekday word beside the day, and the agency's confirmation told as 「回邮件说收到了」
    ("我6号礼拜五晚上发的 他们9号礼拜一回邮件说收到了 最晚哪天",
     {"submitted_on": dt.date(2026, 11, 6), "received_on": dt.date(2026, 11, 9)}),
    # two dates in one space-separated message: the second is the platform's confirmation
    ("我是10月24号礼拜六晚上在网上交的 26号礼拜一平台显示双方确认了",
     {"channel": "online", "submitted_on": dt.date(2026, 10, 24), "received_on": dt.date(2026, 10, 26)}),
    ("10号发过去的 11号人家回了确认 那哪天到期",
     {"submitted_on": dt.date(2026, 11, 10), "received_on": dt.date(2026, 11, 11)}),
    # a day still to come: this Friday the 27th, tomorrow
    ("我这礼拜五27号当面去交 最晚哪天给我", {"channel": "in_person", "submitted_on": dt.date(2026, 11, 27)}),
    ("好 说回我的事 我这礼拜五27号当面去交", {"submitted_on": dt.date(2026, 11, 27), "reply_received_on": None}),
    ("我明天直接把申请送到西四路去 最晚哪天答复", {"channel": "in_person", "submitted_on": dt.date(2026, 11, 24)}),
    ("后天寄过去", {"submitted_on": dt.date(2026, 11, 25)}),
])
def test_history_told_the_way_people_type(text, expected):
    facts = parse_history(text, dt.date(2026, 11, 23))
    assert {k: facts.get(k) for k in expected} == expected


def test_written_when_words_and_days_without_an_event():
    from bot.rules.textparse import asks_when, tells_a_day

    assert asks_when("缴费期限截至何日？") and asks_when("何时到期")
    assert not tells_a_day("明天什么时候上班", dt.date(2026, 11, 23))  # no event of the application
    assert tells_a_day("明天送过去 最晚哪天答复", dt.date(2026, 11, 23))


@pytest.mark.parametrize("text, field, day", [
    # the reply delivered (送达) and 「给我的」 in a remedy question: the day the citizen got the reply
    ("答复书于2026年10月16日送达", "reply_received_on", dt.date(2026, 10, 16)),
    ("那张纸是10月9号给我的 还来得及不", "reply_received_on", dt.date(2026, 10, 9)),
    ("他们10月9号寄给我的答复", "reply_received_on", dt.date(2026, 10, 9)),
])
def test_the_reply_received_told_in_other_words(text, field, day):
    facts = parse_history(text, dt.date(2026, 11, 23))
    assert facts.get(field) == day and "submitted_on" not in facts


def test_asks_whether_it_is_late_or_still_in_time():
    from bot.rules.textparse import asks_timing

    assert asks_timing("他们2号收的申请 6号才通知我补 这算晚了不")
    assert asks_timing("那张纸是10月9号给我的 还来得及不")
    assert asks_timing("最晚哪天")  # every question when is one
    assert not asks_timing("10月9号收到不予公开的答复 这样合法吗")  # the refusal's lawfulness, not time


def test_a_correction_asked_for_in_plain_words():
    # 「6号才通知我补」 is the 补正 request; 「他们2号收的申请」 the agency's receipt (today 23 Nov)
    facts = parse_history("他们2号收的申请 6号才通知我补 这算晚了不", dt.date(2026, 11, 23))
    assert facts.get("received_on") == dt.date(2026, 11, 2)
    assert facts.get("correction_requested_on") == dt.date(2026, 11, 6)


def test_posted_without_saying_how_is_mail():
    facts = parse_history("11月2号邮寄的 啥时候到期", dt.date(2026, 11, 23))
    assert facts == {"channel": "mail", "submitted_on": dt.date(2026, 11, 2)}
    assert parse_history("挂号信11月2号寄的", dt.date(2026, 11, 23))["channel"] == "registered_mail"


def test_the_months_applications_already_made_and_to_come_are_added():
    from bot.rules.textparse import Quantity, month_items

    assert month_items("这个月我已经向审批局交了8件申请了 还想再交15件 要收钱不") == Quantity(23, "件")
    assert month_items("一个月申请35件要多少钱") == Quantity(35, "件")
    assert month_items("我要150页") == Quantity(150, "页")
