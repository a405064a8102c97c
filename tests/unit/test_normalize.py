import pytest

from bot.nlp.normalize import normalize_text


@pytest.mark.parametrize("raw, expected", [
    ("資訊公開申請多久答覆", "信息公开申请多久答复"),      # tw2sp: 資訊 → 信息, not 资讯
    ("ＺＢＳＰ－２０２６－０００１", "ZBSP-2026-0001"),  # full-width → half-width
    ("申情多久答付", "申请多久答复"),                    # domain typos
    ("网伤能申清不", "网上能申请不"), ("发那个油箱", "发那个邮箱"),  # pinyin homophones
    ("  多久\t\t答复 \n", "多久 答复"),
    ("\x00\x07多久\u200b", "多久"),                      # control and zero-width characters
    ("二十个工作日包括周末吗", "20个工作日包括周末吗"),  # Chinese numerals before a unit
    ("十月十号交的 一百二十页", "10月10号交的 120页"),
    ("十几天了 三五天 看一下", "十几天了 三五天 看一下"),     # vague amounts and words stay
    # a standalone 么 stays 么 (OpenCC tw2sp alone gives 幺); traditional 麼 becomes 么
    ("能申请么 么办 什麼", "能申请么 么办 什么"),
    ("", ""),
    ("😀", "😀"),
])
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected
