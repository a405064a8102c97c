"""What every action needs: the knowledge base and the agency a conversation is about."""
from __future__ import annotations

from typing import Any, Optional

from rasa_sdk import Tracker

from bot import knowledge
from bot.settings import settings


def kb() -> knowledge.KnowledgeBase:
    return knowledge.cached()


def resolve_agency(value: Any) -> Optional[str]:
    """An agency id from an entity or slot value (an id, a name or an alias)."""
    if not isinstance(value, str) or not value:
        return None
    if value in kb().agencies:
        return value
    return kb().find_agency(value)


def agency_for(tracker: Tracker) -> str:
    """The agency named in the latest message, else the one the conversation was about, else the
    deployment's default agency."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "agency":
            agency_id = resolve_agency(entity.get("value"))
            if agency_id:
                return agency_id
    return resolve_agency(tracker.get_slot("agency")) or settings.default_agency


def latest_entity(tracker: Tracker, name: str) -> Optional[str]:
    return next(tracker.get_latest_entity_values(name), None)
