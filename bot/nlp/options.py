"""A typed option number: 「3」「３。」「第2个」「选1」「②」 pick the third, second, first … option
of the assistant's last message (bot.nlp.components.OptionNumberClassifier, actions/options.py).
Pure: the action server imports it without Rasa."""
from __future__ import annotations

import re
from typing import Any, Optional

from bot.nlp.normalize import normalize_text

OPTION_INTENT = "choose_option"
MAX_OPTION = 20  # 88 and 886 (goodbye) stay with the intent classifier
_OPTION = re.compile(r"(?:选|选择|第)?\s*([0-9]{1,2})\s*(?:个|条|项|号)?")
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"


def option_number(text: Any) -> Optional[int]:
    """The option number a reply picks; None for anything else."""
    if not isinstance(text, str):
        return None
    text = normalize_text(text).strip().strip("。.！!，, ")
    if len(text) == 1 and text in _CIRCLED:
        return _CIRCLED.index(text) + 1
    match = _OPTION.fullmatch(text)
    number = int(match.group(1)) if match else None
    return number if number is not None and 1 <= number <= MAX_OPTION else None
