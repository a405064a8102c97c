import pytest

from bot.nlp.normalize import normalize_text


@pytest.mark.parametrize("raw, expected", [
    ("資訊公開申請多久答覆", "信息公开申请多久答复"),      # tw2sp: 資訊 → 信息, not 资讯
    ("ＺＢＳＰ－２０２６－０００１", "ZBSP-2026-0001"),  # full-width → half-width
    ("申情多久答付", "申请多久答复"),                    # domain typos
    ("  多久\t\t答复 \n", "多久 答复"),
    ("\x00\x07多久\u200b", "多久"),                      # control and zero-width characters
    ("", ""),
    ("😀", "😀"),
])
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected
