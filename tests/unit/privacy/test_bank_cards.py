"""Bank-card numbers are masked (PIPL: financial accounts are sensitive personal information),
Luhn-checked so that other long numbers stay readable.

The card numbers are test numbers whose check digit is worked out by hand:
* 6212345678901232: from the right, the digits in odd positions doubled (3→6, 1→2, 9→18→9,
  7→14→5, 5→10→1, 3→6, 1→2, 6→12→3: 34), the others (2, 0, 8, 6, 4, 2, 2: 24) and the check
  digit 2 sum to 60, a multiple of 10;
* 4111111111111111 (the classic test card): 8 ones undoubled (8) + 7 ones doubled (14) + the
  leading 4 doubled (8) = 30;
* 6212345678901233 differs only in the check digit: 61, not a card."""
import pytest

from bot.rules.privacy import luhn_valid, mask_bank_card, mask_text


@pytest.mark.parametrize("digits, valid", [
    ("6212345678901232", True), ("4111111111111111", True), ("6212345678901233", False),
    ("12345", False), ("62123456789O1232", False)])
def test_luhn(digits, valid):
    assert luhn_valid(digits) is valid


@pytest.mark.parametrize("text, masked", [
    ("卡号6212345678901232。", "卡号************1232。"),
    ("卡号 6212 3456 7890 1232", "卡号 ************1232"),
    ("卡号6212-3456-7890-1232", "卡号************1232"),
    ("尾号１２３２的卡：６２１２３４５６７８９０１２３２", "尾号１２３２的卡：************1232"),  # full-width
    ("visa 4111111111111111 ok", "visa ************1111 ok"),
])
def test_bank_cards_are_masked(text, masked):
    assert mask_text(text) == masked
    assert mask_text(masked) == masked  # idempotent


@pytest.mark.parametrize("text", [
    "6212345678901233",                      # fails the Luhn check: an order number, not a card
    "申请编号ZBSP-2026-0101，2026-11-23 10:00 受理",  # case numbers and dates: never 16 digits
    "订单号20260205139123456789",             # 20 digits: longer than any card
    "token a6212345678901232b",              # digits touching letters: part of an id or a token
    "电话 0533-2306909，热线 2512345",
])
def test_other_numbers_are_left_alone(text):
    assert mask_text(text) == text


def test_mask_bank_card_keeps_the_last_four():
    assert mask_bank_card("6212 3456 7890 1232") == "************1232"
