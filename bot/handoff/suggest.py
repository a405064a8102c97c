"""The bot's suggested answers for a question, for agents: the ResponseSelector's top FAQs from
Rasa's ``POST /model/parse``, each rendered for the agency with its sources. Pure over the parse
result; the web layer does the HTTP call."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Mapping, Optional

from bot.content import knowledge

RETRIEVAL_INTENT = "faq"
LIMIT = 3


@dataclass(frozen=True)
class Suggestion:
    faq_id: str
    title: str
    text: str  # the answer, with its 来源 line
    sources: tuple
    confidence: float

    def as_dict(self) -> Dict[str, Any]:
        data = asdict(self)
        data["sources"] = list(self.sources)
        return data


def ranking(parse: Mapping[str, Any], kb: knowledge.KnowledgeBase) -> List[tuple]:
    """[(faq_id, confidence)] best first, only FAQs the knowledge base has."""
    selector = (parse.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
    result = []
    for candidate in selector.get("ranking") or []:
        key = candidate.get("intent_response_key") or ""
        prefix, _, faq_id = key.partition("/")
        if prefix == RETRIEVAL_INTENT and faq_id in kb.faqs:
            result.append((faq_id, float(candidate.get("confidence") or 0.0)))
    return result


def suggestions(parse: Mapping[str, Any], kb: knowledge.KnowledgeBase, agency_id: str,
                text: Optional[str] = None, limit: int = LIMIT) -> List[Suggestion]:
    """The top ``limit`` answers for the parsed question, for the agency the question names (if
    any) or else ``agency_id``."""
    agency = kb.find_agency(text or parse.get("text") or "") or agency_id
    found = []
    for faq_id, confidence in ranking(parse, kb)[:limit]:
        answer = kb.render(faq_id, agency)
        found.append(Suggestion(faq_id, kb.faqs[faq_id].title, answer.full_text, answer.sources,
                                round(confidence, 3)))
    return found
