"""The callback number check (hand-written numbers, none real)."""
import pytest

from bot.handoff.phone import normalize_phone


@pytest.mark.parametrize("text, phone", [
    ("13912345678", "13912345678"),
    ("139 1234 5678", "13912345678"),
    ("139-1234-5678", "13912345678"),
    ("+86 139 1234 5678", "13912345678"),
    ("8613912345678", "13912345678"),
    ("我的电话是１３９１２３４５６７８，下午打", "13912345678"),
    ("0533-1234567", "05331234567"),
    ("座机 010 12345678", "01012345678"),
    ("13912345678 就是这个 13912345678", "13912345678"),
])
def test_phone_numbers_are_found(text, phone):
    assert normalize_phone(text) == phone


@pytest.mark.parametrize("text", [
    "", "取消", "1391234567",  # ten digits
    "12912345678",  # no mobile starts 12
    "1234567",  # no area code
    "13912345678 或者 13812345678",  # two numbers: which one?
    "110101199003071234",  # an ID number, not a phone
])
def test_anything_else_is_refused(text):
    assert normalize_phone(text) is None
