"""What every action needs: the knowledge base and the agency a conversation is about."""
from __future__ import annotations

import re
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

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
    folded = _folded_without_other_bodies(text)
    found = next(((agency_id, [name]) for key, name, agency_id in _directory().names
                  if key in folded), None)
    if found:
        return found
    # last resort, the place alone (「那枣庄的呢」「张店那边」), when it is one agency's only
    places = place_names()
    return next(((agency_id, [place]) for place, agency_id in places.items() if place in folded),
                (None, []))


class _Directory(NamedTuple):
    """The agency directory's names folded once per knowledge base (agency_named runs several
    times a turn; folding every name each time was ~1 ms of the action server's turn)."""
    catalogue: knowledge.KnowledgeBase
    other_bodies: Tuple[str, ...]  # folded
    names: Tuple[Tuple[str, str, str], ...]  # (folded name, name, agency id), longest first


_directories: Dict[int, _Directory] = {}


def _directory() -> _Directory:
    catalogue = kb()
    kept = _directories.get(id(catalogue))
    if kept is None or kept.catalogue is not catalogue:  # a reloaded knowledge base
        names = sorted(((fold(name), name, agency_id) for agency_id, record in catalogue.agencies.items()
                        for name in [record["name"], *record.get("aliases", [])]),
                       key=lambda entry: -len(entry[0]))
        _directories.clear()
        kept = _directories[id(catalogue)] = _Directory(
            catalogue, tuple(fold(body) for body in catalogue.other_bodies), tuple(names))
    return kept


def _folded_without_other_bodies(text: str) -> str:
    """``text`` folded, with the bodies that are not agencies of the directory blanked out
    (淄博市人民政府办公室 is not 淄博市行政审批服务局)."""
    folded = fold(text)
    for body in _directory().other_bodies:
        folded = folded.replace(body, "|")
    return folded


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


# A place or local body the message names that the agency directory does not hold: 「桓台县审批局」
# 「临淄区政府」「我们县政府办」「济南市审批局」. Only a place followed by a government body counts
# (「县级以上」「区县人民政府」 are not places).
_PLACE_BODY = re.compile(r"((?:我们|咱们|俺们|本|[\u4e00-\u9fff]{2,3}?)[省市县区镇乡])(?:的|里的|那边的?)?"
                         r"(?:人民政府|政府|行政审批|审批|[^，。？\s]{0,4}?局|(?:人民)?法院|街道办|办事处)")
# words that are not places even where the pattern matches them
_NOT_PLACES = ("上级", "本级", "本市", "区县", "县市", "市县", "省市", "地市", "城区", "社区", "小区", "园区",
               "片区", "辖区", "本区")
# characters of the words around a place, never of a place's own name: the pattern's 2–3
# characters before 市 in 「就找市审批局」「请问市审批局」 are the sentence, not a place (市审批局
# is an alias); in 「问桓台县审批局」 the place is what follows them
_NOT_IN_PLACE = frozenset("就找请问是给把被让说想帮这那了吗呢吧的咋啥怎去到在对跟与及或")


def unknown_place(text: str) -> Optional[str]:
    """The place of a local body ``text`` names that is not in the agency directory (「桓台县」
    「我们县」; 「临淄区政府」 although 区政府 alone is an alias), or None."""
    if not text or text.startswith("/"):
        return None
    folded = _folded_without_other_bodies(text)
    places = place_names()
    for match in _PLACE_BODY.finditer(folded):
        place = match.group(1)
        cut = max((i for i, char in enumerate(place[:-1]) if char in _NOT_IN_PLACE), default=-1)
        if cut >= 0:
            place = place[cut + 1:]
            if len(place) < 3:  # 「市」 alone after the words: the alias's own 市
                continue
        if any(p in place for p in _NOT_PLACES):
            continue
        known = next((places[name] for name in places if place[:-1].endswith(name)), None)
        if known is None:
            return place
        if "审批" in match.group(0) and "审批" not in kb().agencies[known]["name"]:
            return place  # 「张店区审批局」: the district's 审批局, not its government's office
    for name, agency_id in places.items():  # 「张店的审批局」 without 区
        if "审批" not in kb().agencies[agency_id]["name"] and re.search(
                re.escape(name) + r"[省市县区]?(?:的|那边的?|这边的?)?(?:行政)?审批", folded):
            return name
    return None


def agency_for(tracker: Tracker) -> str:
    """The agency named in the latest message, else the one the conversation was about, else the
    deployment's default agency."""
    return (agency_named(tracker)[0] or resolve_agency(tracker.get_slot("agency"))
            or settings.answers.default_agency)


def latest_entity(tracker: Tracker, name: str) -> Optional[str]:
    return next(tracker.get_latest_entity_values(name), None)
