"""Pure parts of the case store: stage derivation and the phone check (no database)."""
import hashlib
import hmac
import logging
from datetime import date

import pytest

from bot.cases import verification
from bot.cases.stages import STAGES, derive_stage

D = date(2026, 11, 10)


def day(n):
    return date(2026, 11, n)


@pytest.mark.parametrize(
    "received_on, events, stage",
    [
        (None, [], "submitted"),
        (D, [], "received"),
        (None, [("received", D)], "received"),
        # on the same day the procedure's order applies, whatever order they are given in
        (D, [("correction_received", day(12)), ("correction_requested", day(12))], "corrected"),
        (D, [("correction_requested", day(11)), ("consultation_sent", day(12))], "correction_pending"),
        (D, [("consultation_sent", day(11)), ("fee_notice_sent", day(12))], "fee_pending"),
        (D, [("extension_approved", day(11)), ("consultation_sent", day(12))], "consultation"),
        (D, [("correction_requested", day(11)), ("correction_received", day(12)),
             ("correction_requested", day(13))], "correction_pending"),
        (D, [("fee_notice_sent", day(11)), ("answered", day(12))], "answered"),
        (None, [("answered", D)], "answered"),
    ],
)
def test_derive_stage(received_on, events, stage):
    assert derive_stage(received_on, events) == stage


def test_stage_labels():
    assert STAGES == {
        "submitted": "已提交（待确认收到）",
        "received": "已受理",
        "correction_pending": "待补正",
        "corrected": "已补正",
        "consultation": "征求意见中",
        "extended": "已延期",
        "fee_pending": "待缴费",
        "answered": "已答复",
    }


def test_unknown_event_kind():
    with pytest.raises(ValueError):
        derive_stage(D, [("visited", D)])


@pytest.mark.parametrize(
    "typed, code",
    [("471108152342", "471108152342"), ("4711 0815 2342", "471108152342"),
     ("４７１１　０８１５　２３４２", "471108152342"), ("查询码：4711—0815—2342。", "471108152342"),
     ("4711-0815-2342", "471108152342"), ("13800000001", None), ("4711 0815 234", None),
     ("4711 0815 2342 5", None), ("0001", None), ("", None), (None, None)],
)
def test_find_query_code(typed, code):
    assert verification.find_query_code(typed) == code


def test_normalize_query_code_wants_the_whole_text_to_be_one_code():
    assert verification.normalize_query_code(" 4711 0815 2342 ") == "471108152342"
    assert verification.normalize_query_code("查询码 4711 0815 2342") is None


def test_new_query_codes_are_random_12_digit_codes():
    codes = {verification.new_query_code() for _ in range(1000)}
    assert len(codes) == 1000  # 10^12 values: a repeat in 1000 has odds of about 5e-7
    assert all(len(c) == 12 and c.isdigit() for c in codes)
    assert verification.format_query_code("471108152342") == "4711 0815 2342"


def test_digest_is_an_hmac_of_the_code():
    expected = hmac.new(b"k", b"query-code:471108152342", hashlib.sha256).hexdigest()
    assert verification.code_digest("471108152342", b"k") == expected
    assert verification.code_matches("4711 0815 2342", expected, b"k")
    assert not verification.code_matches("4711 0815 2342", expected, b"other key")
    assert not verification.code_matches("4711 0815 2343", expected, b"k")
    assert not verification.code_matches("4711 0815 2342", None, b"k")


def test_secret_key_from_environment_or_dev_default_with_a_warning(caplog, monkeypatch):
    assert verification.secret_key(" s3cret ") == b"s3cret"
    monkeypatch.setattr(verification, "_warned", False)
    with caplog.at_level(logging.WARNING, logger="bot.cases.verification"):
        assert verification.secret_key("") == verification.DEV_SECRET_KEY.encode()
        verification.secret_key("")
    warnings = [r for r in caplog.records if "GONGKAI_SECRET_KEY is not set" in r.getMessage()]
    assert len(warnings) == 1
