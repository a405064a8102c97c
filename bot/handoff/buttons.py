"""The buttons that lead to a person, titled in data/kb/messages.yml (human_button,
human_button_after_options, callback_button): 「转人工」 (the request_human intent) and the callback
form (leave_callback), offered by the actions and by the desk alike."""
from __future__ import annotations

from typing import Dict

from bot.content.knowledge import KnowledgeBase

REQUEST_HUMAN = "/request_human"
LEAVE_CALLBACK = "/leave_callback"


def human(kb: KnowledgeBase, agency_id: str, after_options: bool = False) -> Dict[str, str]:
    """「转人工」; ``after_options``: the last of a list of options (「都不是，转人工」)."""
    name = "human_button_after_options" if after_options else "human_button"
    return {"title": kb.message(name, agency_id), "payload": REQUEST_HUMAN}


def callback(kb: KnowledgeBase, agency_id: str) -> Dict[str, str]:
    """Outside office hours: leave a number for an agent to call back."""
    return {"title": kb.message("callback_button", agency_id), "payload": LEAVE_CALLBACK}
