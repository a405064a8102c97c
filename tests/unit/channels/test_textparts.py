"""Splitting long replies and numbering buttons (pure functions, hand-checked values)."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.textparts import number_buttons, parse_choice, split_text, utf8_len


def test_short_text_is_one_part():
    assert split_text("第一行。\n第二行。", 30) == ["第一行。\n第二行。"]  # 25 bytes


def test_empty_text_has_no_parts():
    assert split_text("  \n ", 30) == []


def test_long_text_is_cut_at_line_ends():
    text = "甲" * 8 + "\n" + "乙" * 8  # 24 + 1 + 24 bytes
    assert split_text(text, 30) == ["甲" * 8, "乙" * 8]


def test_lines_are_packed_together_while_they_fit():
    text = "一二。\n三四。\n五六七八九十。"  # 9+1+9+1+21 bytes
    assert split_text(text, 25) == ["一二。\n三四。", "五六七八九十。"]


def test_a_line_too_long_is_cut_at_sentence_ends():
    assert split_text("一二三四。五六七八。九十", 18) == ["一二三四。", "五六七八。", "九十"]


def test_a_closing_quote_stays_with_its_sentence():
    assert split_text("他说：“好。”然后走了。", 24) == ["他说：“好。”", "然后走了。"]


def test_a_sentence_too_long_is_cut_between_characters():
    assert split_text("一" * 10, 9) == ["一一一", "一一一", "一一一", "一"]


def test_four_byte_characters_are_never_cut():
    assert split_text("😀" * 5, 9) == ["😀😀", "😀😀", "😀"]


def test_a_tiny_limit_is_refused():
    with pytest.raises(ValueError):
        split_text("一二三", 4)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("申请信息公开。，！？\n abc😀；")), max_size=400),
       st.integers(min_value=8, max_value=120))
def test_parts_fit_and_keep_every_character(text, limit):
    parts = split_text(text, limit)
    assert all(0 < utf8_len(p) <= limit for p in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == \
        text.replace(" ", "").replace("\n", "")


def test_buttons_become_a_numbered_list_with_a_hint():
    text, payloads = number_buttons("您是不是想问：", [
        {"title": "多久答复", "payload": '/choose_faq{"faq_id":"reply_deadline"}'},
        {"title": "都不是，转人工", "payload": "/request_human"},
    ])
    assert text == "您是不是想问：\n1. 多久答复\n2. 都不是，转人工\n（回复 1/2 选择）"
    assert payloads == ['/choose_faq{"faq_id":"reply_deadline"}', "/request_human"]


def test_numbering_can_continue_from_an_earlier_message():
    text, payloads = number_buttons("", [{"title": "转人工", "payload": "/request_human"}], first=3)
    assert text == "3. 转人工\n（回复 3 选择）"
    assert payloads == ["/request_human"]


@pytest.mark.parametrize("reply, number", [
    ("1", 1), ("２", 2), (" 3 ", 3), ("１。", 1), ("②", 2), ("10", 10),
])
def test_choice_replies_are_read_as_numbers(reply, number):
    assert parse_choice(reply) == number


@pytest.mark.parametrize("reply", ["", "一", "1个", "第1个", "123", "申请多久答复", "1.5"])
def test_other_replies_are_not_choices(reply):
    assert parse_choice(reply) is None
