"""Input normalisation applied to every message before the NLU pipeline sees it.

Citizens type traditional characters (資訊公開), full-width digits and letters (２０２６, ＺＢＳＰ),
stray control characters and odd spacing. Training data goes through the same function, so the
model only ever sees one written form.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

from bot.rules.textparse import chinese_number

# Common slips seen in citizens' typing; kept small and specific to this domain.
_TYPOS = {
    "申情": "申请",
    "答付": "答复",
    "复意": "复议",
    "起述": "起诉",
    "信息工开": "信息公开",
    # pinyin input's homophones (wang shang, you xiang, shen qing, qi su)
    "网伤": "网上",
    "油箱": "邮箱",
    "申清": "申请",
    "起素": "起诉",
}
_TYPO_RE = re.compile("|".join(map(re.escape, _TYPOS)))
_SPACES = re.compile(r"\s+")
# A Chinese numeral before a unit of time or quantity (二十个工作日, 一百二十页, 十月十号) becomes
# digits, so it reads like the Arabic form citizens also type (20个工作日) and the AgencyMasker
# folds both into one number token. Vague ranges (三五天, 十几天) are left alone.
_CN_QUANTITY = re.compile(
    r"([〇零一二两三四五六七八九十百千万]+)"
    r"(?=[天日号月年周件页份条张]|个(?:工作日|自然日|多?月|多?星期|礼拜|小时))")


def _digits(match: re.Match) -> str:
    value = chinese_number(match.group(1))
    return match.group(1) if value is None else str(value)


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    # tw2sp also converts Taiwan phrasing (資訊 → 信息); plain t2s would leave 资讯.
    return opencc.OpenCC("tw2sp")


def normalize_text(text: str) -> str:
    """Simplified, half-width, single-spaced text without control characters."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co")
                   or ch in "\n\t")
    # tw2sp reads a lone simplified 么 as the Taiwan form of 幺 (能申请么 → 能申请幺); as 麼 it
    # comes back as 么, the only meaning citizens type it with.
    text = _converter().convert(text.replace("么", "麼"))
    text = _TYPO_RE.sub(lambda m: _TYPOS[m.group(0)], text)
    text = _CN_QUANTITY.sub(_digits, text)
    return _SPACES.sub(" ", text).strip()
