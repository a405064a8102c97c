"""Text-only channels: long replies split into parts, buttons turned into numbered choices.

WeChat caps a text message at 2048 bytes of UTF-8 (passive replies and 客服消息 alike; a Chinese
character takes 3 bytes, so roughly 680 characters). Parts are cut at line ends first, then at
sentence ends, and only as a last resort inside a sentence — never inside a character.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Mapping, Optional, Sequence

SENTENCE = re.compile(r"[^。！？；!?;]*[。！？；!?;]+[”’」』）)]*|[^。！？；!?;]+")
CHOICE = re.compile(r"[0-9]{1,2}")
_TRAILING = "。.！!，,、 \t\r\n"


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def split_text(text: str, limit: int) -> list[str]:
    """``text`` in parts of at most ``limit`` bytes of UTF-8, each stripped, none empty."""
    if limit < 8:
        raise ValueError("a part must hold at least a couple of characters")
    text = text.strip()
    if not text:
        return []
    if utf8_len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for atom in _atoms(text, limit):
        if current and utf8_len(current + atom) > limit:
            parts.append(current)
            current = ""
        current += atom
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def _atoms(text: str, limit: int) -> Iterable[str]:
    """Pieces of at most ``limit`` bytes that join back to ``text``: lines (with their newline),
    else the line's sentences, else runs of characters."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        end = "\n" if i < len(lines) - 1 else ""
        if utf8_len(line + end) <= limit:
            yield line + end
            continue
        for sentence in SENTENCE.findall(line):
            yield from _cut(sentence, limit)
        if end:
            yield end


def _cut(text: str, limit: int) -> Iterable[str]:
    piece = ""
    for char in text:
        if utf8_len(piece + char) > limit:
            yield piece
            piece = ""
        piece += char
    if piece:
        yield piece


def number_buttons(text: str, buttons: Sequence[Mapping[str, str]],
                   first: int = 1) -> tuple[str, list[str]]:
    """The message text with its buttons as a numbered list and a 「回复 1/2/3 选择」 hint, and
    the buttons' payloads in that order (number ``first`` is payloads[0])."""
    payloads: list[str] = []
    lines = [text.rstrip()] if text and text.strip() else []
    for number, button in enumerate(buttons, start=first):
        title = str(button.get("title") or button.get("payload") or "").strip()
        # the assistant numbers its options itself (actions/context.py): not twice
        title = title.removeprefix(f"{number}. ")
        lines.append(f"{number}. {title}")
        payloads.append(str(button.get("payload") or title))
    if payloads:
        numbers = "/".join(str(n) for n in range(first, first + len(payloads)))
        lines.append(f"（回复 {numbers} 选择）")
    return "\n".join(lines), payloads


def parse_choice(text: str) -> Optional[int]:
    """The number a reply such as "2", "２", " 2。" or "②" picks; None for anything else."""
    folded = unicodedata.normalize("NFKC", text or "").strip(_TRAILING)
    return int(folded) if CHOICE.fullmatch(folded) else None
