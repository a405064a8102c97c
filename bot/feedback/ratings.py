"""The 政务服务「好差评」 scale a citizen rates a hand-off with: five levels, best first (the order of
the buttons the desk offers when an agent ends a hand-off; stored as the number in table
``feedback``). 好评 are the levels from 基本满意 up.

Plain data: the desk's prompt, the action that stores the rating and the analytics all read it here.
"""
from __future__ import annotations

import unicodedata
from typing import Any, Dict, List, Optional, Tuple

SCALE: Tuple[Tuple[int, str], ...] = (
    (5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意"),
)
SATISFIED_FROM = 3  # 基本满意: the lowest level counted as 好评
INTENT = "rate_service"  # domain/feedback.yml; the buttons' payloads carry the level as entity "rating"


def buttons() -> List[Dict[str, str]]:
    return [{"title": label, "payload": f'/{INTENT}{{"rating":"{value}"}}'} for value, label in SCALE]


def parse(value: Any) -> Optional[int]:
    """5 … 1 from an entity value or typed text: "5", "５", "非常满意" …"""
    text = unicodedata.normalize("NFKC", str(value or "")).strip().strip("。.！! ")
    if text.isdigit() and 1 <= int(text) <= len(SCALE):
        return int(text)
    return next((number for number, label in SCALE if label == text), None)
