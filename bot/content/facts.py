"""The truth check the desk runs before saving an answer: every phone number, street address and
document number in it must already be in the knowledge base's contacts (agencies.yml) or source
catalogue (sources.yml), which hold only what the seed documents state (data/kb/README.md). A
staff member can therefore move a number from one answer to another or correct a wrong one to
the right one, but not type a new one the knowledge base cannot back; a new number goes into
agencies.yml (or sources.yml) first, with its source, by whoever keeps those files.

Comparison is on ``knowledge.fold`` forms, so 0533-2306909 and ０５３３２３０６９０９ are the same number.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterator, List

from bot.content.knowledge import KnowledgeBase, fold

_CN_NUMBER = "0-9零〇一二三四五六七八九十百千"
# (kind in Chinese, pattern); matched on the NFKC form, so full-width digits count too
PATTERNS = (
    ("电话号码", re.compile(r"(?<![0-9])(?:\(?0\d{2,3}\)?[-\s]?)?\d{5,8}(?![0-9])|(?<![0-9])1[3-9]\d{9}(?![0-9])")),
    ("文号", re.compile(rf"[〔\[（(]\d{{4}}[〕\]）)]\s*第?\d+号|令第?[{_CN_NUMBER}]+号")),
    ("地址", re.compile(r"[\u4e00-\u9fa5]{1,8}?(?:路|街|大道|大街|巷|胡同)\d+(?:-\d+)?号")),
)


@dataclass(frozen=True)
class Unbacked:
    kind: str  # 电话号码, 文号 or 地址
    text: str  # as written in the answer

    @property
    def reason(self) -> str:
        return (f"{self.kind}「{self.text}」在知识库的机构联系方式和出处目录中都找不到，"
                f"不能写进答复：请核对；确是新的{self.kind}，先连同出处补进机构目录（agencies.yml）"
                f"或出处目录（sources.yml）。")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)
    elif value is not None:
        yield str(value)


def backing(kb: KnowledgeBase) -> str:
    """Everything the contacts and the source catalogue say, as one comparable string."""
    return "|".join(fold(text) for text in _strings([dict(kb.agencies), dict(kb.sources)]))


def facts_in(text: str) -> List[Unbacked]:
    """The phone numbers, document numbers and street addresses ``text`` states."""
    text = unicodedata.normalize("NFKC", text or "")
    found: dict = {}
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            found.setdefault(match.group(0).strip(), kind)
    return [Unbacked(kind, value) for value, kind in found.items()]


def unbacked(kb: KnowledgeBase, text: str) -> List[Unbacked]:
    """The facts in ``text`` that neither the contacts nor the sources of ``kb`` state."""
    known = backing(kb)
    return [fact for fact in facts_in(text) if _key(fact) not in known]


def _key(fact: Unbacked) -> str:
    street = re.search(r"[\u4e00-\u9fa5]{0,4}(?:路|街|大道|大街|巷|胡同)\d+(?:-\d+)?号$", fact.text)
    if fact.kind == "地址" and street:  # the street and number, not the district put before it
        return fold(street.group(0)[-12:])
    return fold(fact.text)
