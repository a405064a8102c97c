"""The bot's suggested answers for a hand-off, for agents: which of the citizen's messages is the
question (``questions``), and the ResponseSelector's top FAQs for it from Rasa's
``POST /model/parse``, each rendered for the agency with its sources. Pure over the events and the
parse result; the web layer does the HTTP call.

The question is not simply the citizen's last message: while they wait they write 「人呢？我等着
呢」, 「转人工」, 「在吗」, their phone number, or click a button (``/request_human``). Those say
nothing about what they need, so the suggestions are for the latest message that still says
something once the hand-off requests, greetings, frustration, cancel words and digits are taken out
(``question_part``), and whose intent is not one of the conversational ones
(``NOT_A_QUESTION``) unless it says a good deal more."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence

from bot.content import knowledge
from bot.core import history

RETRIEVAL_INTENT = "faq"
LIMIT = 3

# Intents that say nothing about what the citizen wants to know (domain/*.yml): asking for a person,
# courtesies, buttons' answers, feedback, stopping a form.
NOT_A_QUESTION = frozenset({
    "request_human", "greet", "thank", "goodbye", "leave_callback", "choose_faq", "choose_option",
    "helpful", "not_helpful", "rate_service", "stop",
})
# What is taken out of a message before asking whether it still says something: asking for a
# person, waiting and frustration, courtesies, cancelling, rejecting a suggestion. Longest first
# within each group, so 「人工客服」 goes whole rather than leaving 「客服」 behind; a bare 「人」 or
# 「行」 stays (行政复议, 个人).
FILLER = re.compile("|".join([
    # asking for a person
    r"(?:帮我|给我|请|我要|我想|麻烦)?(?:转接?|找|换|接)?(?:人工客服|人工服务|人工坐席|人工|真人|活人|客服|"
    r"工作人员|坐席)(?:说话|聊|服务)?",
    r"(?:帮我|给我|请|我要|我想|麻烦)?(?:转接?|找|换|接)个?人(?:说话|聊)?",
    r"(?:跟|和|给)我(?:说|讲|聊|解释)(?:一下|说|讲)?",
    r"打电话给我|给我打电话|电话联系我|给我回电话?|回个电话",
    # giving a number (the number itself is not a word: 「我的手机13800001234」 leaves nothing)
    r"(?:我的)?(?:手机|电话|联系方式)(?:号码|号)?(?:是)?",
    # waiting and frustration
    r"人呢|有人吗|有没有人|在不在|还在吗|在吗|等着呢|我等着|等了?半天|等了?好久|等很久|怎么还没人(?:理|回)?|"
    r"(?:能不能|可不可以|麻烦)?(?:快点|快一点|快些)|急死了?|着急|搞什么|什么情况|没用|没帮助|不对|不是这个|都不是|太慢了?|怎么回事|喂",
    # courtesies and short answers
    r"你好|您好|谢谢|多谢|感谢|好的|好吧|知道了|明白了|嗯+|哦+|噢+|啊+|哈+|hello|hi",
    # cancelling and skipping
    r"取消|算了|不用了|不需要|跳过",
]), re.IGNORECASE)
_CLAUSES = re.compile(r"[，,。.！!？?；;:：、~～…\s]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")
MIN_HAN_CLAUSE = 2  # a clause with less left is filler (「我等着呢」 leaves 「我」)
MIN_HAN = 3  # characters left that make a question: 「收费吗」, 「复议期限」
MIN_HAN_OF_CONVERSATIONAL = 6  # … when the intent was a conversational one (「转人工，复议找谁」)
# particles that are all a short clause has left once its filler is gone (「人呢」 → 「呢」)
PARTICLES = re.compile(r"[呢吧呀吗么了的啦哇]")


def _content(clause: str) -> int:
    """Han characters a clause has once its fillers are gone (and the particles they leave)."""
    left = FILLER.sub("", clause)
    if left != clause and len(left) <= 3:
        left = PARTICLES.sub("", left)
    return len(_HAN.findall(left))


def question_part(text: str) -> str:
    """The clauses of ``text`` that say something (see FILLER), as one line: 「人呢？我等着呢」
    has none, 「转人工，我想问复议期限」 is 「我想问复议期限」. Digits are content here (they
    do not make a clause count, but stay in one that does: 「2026年的年报」)."""
    text = unicodedata.normalize("NFKC", text or "")
    kept = [c for c in _CLAUSES.split(text) if c and _content(c) >= MIN_HAN_CLAUSE]
    ends = "？" if text.rstrip().endswith(("?", "？")) and kept else ""
    return "，".join(kept) + ends


def is_question(text: Optional[str], intent: Optional[str] = None) -> bool:
    """Whether a citizen's message asks something the knowledge base may answer."""
    said = (text or "").strip()
    if not history.is_typed(said):  # empty, or a button's payload such as /request_human
        return False
    part = unicodedata.normalize("NFKC", said)
    left = sum(_content(c) for c in _CLAUSES.split(part) if c and _content(c) >= MIN_HAN_CLAUSE)
    least = MIN_HAN_OF_CONVERSATIONAL if intent in NOT_A_QUESTION else MIN_HAN
    return left >= least


def says_nothing(text: Optional[str]) -> bool:
    """Chinese text with nothing left once its fillers are gone (「取消」, 「转人工」, 「人呢？我等着
    呢」). Text without Chinese (a number, English, markup) is not judged: it may be anything."""
    text = text or ""
    return bool(_HAN.search(text)) and not question_part(text)


@dataclass(frozen=True)
class Question:
    text: str  # as the citizen wrote it (for the agent to read)
    query: str  # what is sent to /model/parse: the question part

    def as_dict(self) -> Dict[str, str]:
        return asdict(self)


def questions(events: Sequence[Mapping[str, Any]]) -> List[Question]:
    """The citizen's questions among ``events`` (a hand-off's window), newest first."""
    found = []
    for event in reversed(events):
        said = history.typed_text(event)
        if said and is_question(said, history.intent(event)):
            found.append(Question(said, question_part(said)))
    return found


def latest_question(events: Sequence[Mapping[str, Any]]) -> Optional[Question]:
    found = questions(events)
    return found[0] if found else None


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
