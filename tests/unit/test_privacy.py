"""Personal-data masking. All ID and mobile numbers here are made up."""

import io
import logging

import pytest

from bot.rules.privacy import (
    DEFAULT_ALLOWED_EMAILS,
    PIIMaskingFilter,
    mask_email,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_text,
    phone_last4,
)

AGENCY_EMAILS = ["sxzspfwjbgs@zb.shandong.cn", "zwgkb@zb.shandong.cn"]  # FACTS.md §5


# --- single values --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number, masked",
    [
        ("13912345678", "139****5678"),
        ("139 1234 5678", "139****5678"),
        ("139-1234-5678", "139****5678"),
        ("+86 139 1234 5678", "139****5678"),
        ("+8613912345678", "139****5678"),
        ("008613912345678", "139****5678"),
        ("１３９１２３４５６７８", "139****5678"),
        ("0533-2306909", "*******6909"),  # not a mobile: only the last 4 survive
        ("123", "***"),
    ],
)
def test_mask_phone(number, masked):
    assert mask_phone(number) == masked


def test_phone_last4():
    assert phone_last4("+86 139-1234-5678") == "5678"
    assert phone_last4("１３９１２３４９８７６") == "9876"
    with pytest.raises(ValueError):
        phone_last4("12")


@pytest.mark.parametrize(
    "number, masked",
    [
        ("110101199003071234", "**************1234"),
        ("11010119900307123X", "**************123X"),
        ("11010119900307123x", "**************123X"),
        ("110101 19900307 1234", "**************1234"),
        ("110101900307123", "***********7123"),  # old 15-digit number
        ("12", "**"),
    ],
)
def test_mask_id_number(number, masked):
    assert mask_id_number(number) == masked


@pytest.mark.parametrize(
    "address, masked",
    [
        ("zhangsan@example.org", "z***@example.org"),
        ("Li.Si+gk@mail.example.com", "L***@mail.example.com"),
        ("ｗａｎｇ＠example.org", "w***@example.org"),
        ("not-an-address", "***"),
        ("@example.org", "***"),
    ],
)
def test_mask_email(address, masked):
    assert mask_email(address) == masked


# --- free text ------------------------------------------------------------------------------------


def test_mixed_message():
    text = "我叫张三，身份证110101199003071234，手机139 1234 5678，邮箱zhangsan@example.org，请回电。"
    assert mask_text(text) == (
        "我叫张三，身份证**************1234，手机139****5678，邮箱z***@example.org，请回电。"
    )


def test_agency_landlines_and_hotline_stay():
    text = "咨询电话0533-2306909，传真0533-2306817，热线2512345，枣庄0632-3168699。"
    assert mask_text(text) == text


def test_full_width_digits_are_matched_and_the_rest_is_kept():
    text = "电话：１３９１２３４５６７８，证件号：１１０１０１１９９００３０７１２３Ｘ。"
    assert mask_text(text) == "电话：139****5678，证件号：**************123X。"


def test_full_width_at_sign():
    assert mask_text("发到ｌｉｓｉ＠example.org了") == "发到l***@example.org了"


def test_country_code_is_kept_before_the_masked_number():
    assert mask_text("Tel: +86 139-1234-5678.") == "Tel: +86 139****5678."
    assert mask_text("（+86）13912345678") == "（+86）139****5678"


def test_numbers_inside_longer_digit_runs_are_left_alone():
    # A 20-digit order number contains an 18-digit and an 11-digit substring; masking part of it
    # would make it look like an ID or a phone, so the whole run is left as it is.
    text = "订单号20260205139123456789，流水号139123456781"
    assert mask_text(text) == text


def test_an_18_digit_run_is_masked_even_if_it_is_not_a_real_id():
    # The safe mistake: anything shaped like an ID is treated as one.
    assert mask_text("编号：123456789012345678") == "编号：**************5678"


def test_adjacent_to_letters_and_chinese():
    assert mask_text("tel13912345678号码") == "tel139****5678号码"
    assert mask_text("身份证号11010119900307123X先生") == "身份证号**************123X先生"


def test_email_made_of_a_phone_number_is_masked_as_an_email():
    assert mask_text("邮箱13912345678@example.com") == "邮箱1***@example.com"


def test_every_email_is_masked_by_default():
    assert DEFAULT_ALLOWED_EMAILS == frozenset()
    assert mask_text("请发至zwgkb@zb.shandong.cn") == "请发至z***@zb.shandong.cn"


def test_allow_list_keeps_agency_addresses():
    text = "可发邮件至sxzspfwjbgs@zb.shandong.cn或ZWGKB@zb.shandong.cn，我的是lisi@example.org"
    assert mask_text(text, allow_emails=AGENCY_EMAILS) == (
        "可发邮件至sxzspfwjbgs@zb.shandong.cn或ZWGKB@zb.shandong.cn，我的是l***@example.org"
    )


def test_masking_is_idempotent():
    text = "身份证110101199003071234 手机13912345678 邮箱lisi@example.org"
    once = mask_text(text)
    assert mask_text(once) == once


def test_text_without_personal_data_is_returned_unchanged():
    text = "2026年2月5日申请，20个工作日内答复。申请编号2026-0017。"
    assert mask_text(text) == text


def test_mask_text_rejects_non_strings():
    with pytest.raises(TypeError):
        mask_text(13912345678)


# --- logging filter -------------------------------------------------------------------------------


@pytest.fixture
def captured():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    handler.addFilter(PIIMaskingFilter(allow_emails=AGENCY_EMAILS))
    logger = logging.getLogger("gongkai.test.privacy")
    child = logging.getLogger("gongkai.test.privacy.rasa")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield logger, child, stream
    logger.removeHandler(handler)


def test_filter_masks_formatted_args(captured):
    logger, _, stream = captured
    logger.info("user %s phone %s", "110101199003071234", 13912345678)
    assert stream.getvalue() == "gongkai.test.privacy user **************1234 phone 139****5678\n"


def test_filter_on_a_handler_sees_child_loggers(captured):
    _, child, stream = captured
    child.info("message from zhangsan@example.org to sxzspfwjbgs@zb.shandong.cn")
    assert "z***@example.org" in stream.getvalue()
    assert "sxzspfwjbgs@zb.shandong.cn" in stream.getvalue()


def test_filter_masks_mapping_args_and_exceptions(captured):
    logger, _, stream = captured
    try:
        raise ValueError("bad phone 13912345678")
    except ValueError:
        logger.exception("failed for %(who)s", {"who": "lisi@example.org"})
    out = stream.getvalue()
    assert "failed for l***@example.org" in out
    assert "bad phone 139****5678" in out
    assert "13912345678" not in out


def test_filter_installed_on_a_logger(caplog):
    logger = logging.getLogger("gongkai.test.privacy.direct")
    masking = PIIMaskingFilter()
    logger.addFilter(masking)
    try:
        with caplog.at_level(logging.INFO, logger="gongkai.test.privacy.direct"):
            logger.info("call %s", "139 1234 5678")
    finally:
        logger.removeFilter(masking)
    assert caplog.records[-1].getMessage() == "call 139****5678"
    assert caplog.records[-1].args == ()


def test_filter_survives_a_broken_format_string():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "id %s %s", ("110101199003071234",), None)
    assert PIIMaskingFilter().filter(record) is True
    assert record.args == ("**************1234",)


def test_filter_masks_stack_info():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", (), None, sinfo="Stack: 13912345678")
    PIIMaskingFilter().filter(record)
    assert record.stack_info == "Stack: 139****5678"


def test_filter_never_drops_records():
    record = logging.LogRecord("anything", logging.INFO, __file__, 1, "plain", (), None)
    assert PIIMaskingFilter().filter(record) is True


@pytest.mark.parametrize("name, masked", [("张三", "张*"), ("欧阳娜娜", "欧**娜"), ("王", "王")])
def test_mask_name(name, masked):
    assert mask_name(name) == masked
