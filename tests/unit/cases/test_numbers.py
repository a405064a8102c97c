"""Case numbers as people type them (pure: no database)."""
import pytest

from bot.cases.numbers import find_case_number, is_canonical, normalize_case_number


@pytest.mark.parametrize(
    "typed",
    [
        "ZBSP-2026-0001",
        "zbsp-2026-0001",
        " ZBSP-2026-0001 ",
        "ZBSP 2026 0001",
        "zbsp20260001",
        "ZBSP_2026_0001",
        "ZBSP—2026—0001",  # em dashes from a Chinese input method
        "ZBSP－2026－0001",  # full-width hyphen-minus
        "ＺＢＳＰ－２０２６－０００１",  # all full width
        "ｚｂｓｐ　２０２６　０００１",  # full-width letters and ideographic spaces
        "ZBSP - 2026 - 0001",
        "ZBSP-2026 0001",
        "ZBSP–2026–0001",  # en dashes
        "zbsp2026-0001",
    ],
)
def test_normalize_accepts_what_people_type(typed):
    assert normalize_case_number(typed) == "ZBSP-2026-0001"


@pytest.mark.parametrize(
    "typed, expected",
    [("zz-2025-0042", "ZZ-2025-0042"), ("abcde-2026-9999", "ABCDE-2026-9999")],
)
def test_normalize_prefix_lengths(typed, expected):
    assert normalize_case_number(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        None,
        "",
        "   ",
        "Z-2026-0001",  # one letter
        "ABCDEF-2026-0001",  # six letters
        "ZBSP-226-0001",  # three-digit year
        "ZBSP-2026-001",  # three-digit serial
        "ZBSP-2026-00001",  # five-digit serial
        "2026-0001",
        "ZBSP-2026-0001 请查",  # not only a number: use find_case_number
        "ZB5P-2026-0001",
    ],
)
def test_normalize_rejects(typed):
    assert normalize_case_number(typed) is None


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("我的编号是 zbsp 2026 0001 帮我查下", "ZBSP-2026-0001"),
        ("编号ZBSP-2026-0001，麻烦看看到哪一步了", "ZBSP-2026-0001"),
        ("申请编号：ＺＺＳＰ－２０２６－００４１。", "ZZSP-2026-0041"),
        ("帮我查一下zdzf20260212", "ZDZF-2026-0212"),
        ("受理号是 ZBSP_2026_0103 吗？", "ZBSP-2026-0103"),
        ("first ZBSP-2026-0001 then ZZSP-2026-0002", "ZBSP-2026-0001"),
    ],
)
def test_find_in_sentence(sentence, expected):
    assert find_case_number(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        None,
        "我想查一下我的申请到哪一步了",
        "我的电话是13800000001",
        "编号 ABCDEFG-2026-0001 不对",  # letters run on: not a case number
        "ZBSP-2026-00011",  # serial runs on
        "2026年11月23日提交的",
    ],
)
def test_find_nothing(sentence):
    assert find_case_number(sentence) is None


def test_canonical_pattern():
    assert is_canonical("ZBSP-2026-0001")
    assert not is_canonical("zbsp-2026-0001")
    assert not is_canonical("ZBSP20260001")
