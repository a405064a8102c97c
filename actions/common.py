"""What every action needs: the knowledge base and the agency a conversation is about."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Tracker

from bot.content import knowledge
from bot.content.knowledge import fold
from bot.core.settings import settings


def kb() -> knowledge.KnowledgeBase:
    return knowledge.cached()


def resolve_agency(value: Any) -> Optional[str]:
    """An agency id from an entity or slot value (an id, a name or an alias)."""
    if not isinstance(value, str) or not value:
        return None
    if value in kb().agencies:
        return value
    return kb().find_agency(value)


def agency_named(tracker: Tracker) -> Tuple[Optional[str], List[str]]:
    """The agency the latest message names and the words naming it: the entity extractor's
    `agency` entities first, else a name or alias found in the text itself (the extractor only
    sees whole tokens: 「枣庄市的」 may be cut where no alias ends)."""
    text = tracker.latest_message.get("text") or ""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "agency":
            agency_id = resolve_agency(entity.get("value"))
            if agency_id:
                start, end = entity.get("start"), entity.get("end")
                said = text[start:end] if isinstance(start, int) and isinstance(end, int) else ""
                return agency_id, [said or str(entity.get("value"))]
    if text.startswith("/"):
        return None, []
    folded = fold(text)
    names = sorted(((name, agency_id) for agency_id, record in kb().agencies.items()
                    for name in [record["name"], *record.get("aliases", [])]),
                   key=lambda pair: -len(fold(pair[0])))
    found = next(((agency_id, [name]) for name, agency_id in names if fold(name) in folded), None)
    if found:
        return found
    # last resort, the place alone (「那枣庄的呢」「张店那边」), when it is one agency's only
    places = place_names()
    return next(((agency_id, [place]) for place, agency_id in places.items() if place in folded),
                (None, []))


_PLACE = re.compile(r"^(?:山东省)?(.{2,3}?)[市区县]")


def place_names() -> Dict[str, str]:
    """The place each agency's name starts with (枣庄市行政审批服务局 → 枣庄), where no other
    agency's name starts with the same place."""
    places: Dict[str, List[str]] = {}
    for agency_id, record in kb().agencies.items():
        match = _PLACE.match(record["name"])
        if match:
            places.setdefault(match.group(1), []).append(agency_id)
    return {place: ids[0] for place, ids in places.items() if len(ids) == 1}


def agency_for(tracker: Tracker) -> str:
    """The agency named in the latest message, else the one the conversation was about, else the
    deployment's default agency."""
    return (agency_named(tracker)[0] or resolve_agency(tracker.get_slot("agency"))
            or settings.answers.default_agency)


def latest_entity(tracker: Tracker, name: str) -> Optional[str]:
    return next(tracker.get_latest_entity_values(name), None)
