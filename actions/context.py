"""What the conversation is about, and follow-ups answered in it.

The topic is the last thing the assistant answered: an FAQ (its bot event carries ``faq_id``), a
calculation, an annual-report figure or a case look-up (their actions' names). It is kept in the
slots ``topic`` and ``topic_question`` (set after every custom action, from the tracker's events and
what the action said: ``topic_slot_events``, one place decides what the topic is, whichever action
answered).

A follow-up leans on the topic: 「如果他们不给呢」 after the reply deadline, 「那我要多久补」 after
补正, 「什么时候到期」 after a case look-up, 「那枣庄的呢」 after a contact card, 「不对，是邮寄的」
after a due-date calculation. Which follow-up gets which answer is data (data/dialogue/followups.yml);
this module only recognises the follow-up and plans the answer. A message that is not a follow-up
(no cue word and longer than a few characters) is a new question and starts a new topic.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import yaml

from bot.content import knowledge, reports
from bot.content.knowledge import KnowledgeBase, fold
from bot.core import history
from bot.nlp.normalize import normalize_text
from bot.rules import deadlines, textparse

# dialogue data, not a model input: editing it needs no retraining (bot/tooling/training.py)
FOLLOWUPS_FILE = Path(__file__).resolve().parent.parent / "data" / "dialogue" / "followups.yml"
# Answers given by actions that do not mark their topic themselves (calculations, look-ups).
ACTION_TOPICS = {"action_compute_due_date": "due_date", "action_compute_fee": "fee",
                 "action_annual_report": "annual_report", "action_check_case_status": "case_status",
                 "action_info_request": "info_request"}
# How a due date's channel is written back into a question so that textparse reads it again.
CHANNEL_WORDS = {"in_person": "当面递交", "registered_mail": "挂号信寄出", "ordinary_mail": "平信寄出",
                 "email": "电子邮件发送", "online": "网上提交", "fax": "传真发送"}
MAIL_WORDS = ("邮寄", "寄的", "寄过去", "寄出")
RECEIPT_WORDS = ("签收", "确认", "收到")
EXTENSION = re.compile(r"延期|延长|往后拖|拖延|延后|再延")
# whether a day counts as the day the agency received it (「那明儿就算他们收着了吧」)
_COUNTS_AS_RECEIVED = re.compile(r"算(?:是|他们|机关|对方|人家)?(?:已经)?(?:收到|收着|收下|签收|接收|受理)")
# after a computed date, a "when" that asks about something else: what to do then, a remedy's day
_NOT_THE_DATE = re.compile(r"怎么办|咋办|咋整|怎么整|找谁|投诉|复议|起诉|告|不给|不理|没答复|不答复|交钱|缴费|补正")
# What is left of 「那枣庄的呢」「我说的是张店」 once the agency is taken out: nothing that asks more.
_FILLER_WORDS = ("不对|不是|我说的是|我问的是|我是说|我要的是|我想问|我要|我想|是|那么|那|的|呢|吗|"
                 "啊|呀|吧|问|一下|这个|那个|就|还|呃|嗯|哦|噢|也一样|一样|同样|也是|也|"
                 # who made or issued it (「是市审批局批的」「张店区政府办做的」)
                 "批|发|做|出|盖|章|制作|作出|下发|印发|出具|"
                 # where they are (「我们是张店的」)
                 "我们|咱们|俺们|"
                 # a correction (「我说错了 是张店的」)
                 "我说错了|说错了|搞错了|弄错了|写错了|记错了|看错了|打错了|应该是|其实是|"
                 # the kind of body, beside the place naming it (「枣庄那个审批局呢」)
                 "审批服务局|审批局|那个局|这个局")
# What is left of 「超期了怎么办」「能催一下吗」「什么时候到期」 once the follow-up's words are taken
# out: only the asking, no subject of its own (「复议期限是多久」 keeps 复议: another question).
_ASKING_WORDS = ("的话|到时候|到那天|到那时|一直|仍然|还是|有没有|现在|已经|都|快|"
                 # how long it has been (「都超了快三个礼拜了」)
                 "礼拜|星期|个月|周|一|二|两|三|四|五|六|七|八|九|十|半|"
                 "怎么办|怎么样|怎么|咋办|咋|如何|能不能|能否|可不可以|可以|能|会|要|该|还|"
                 "了|吗|呢|啊|呀|吧|我|们|他|她|是|的|有|想|帮|给|一下|多少|几|号|哪|什么|啥|时候|"
                 "最后|最晚|到底|时间|日期|日子|天|那|这|个|等|还要|再|"
                 # the day it comes to or passes (「到了30号还不给我咋办」「过了18号还没动静我找谁」
                 # after a look-up due on the 30th or the 18th)
                 r"到了|到|过了|\d+|月|日|"
                 # within what time it must be filed (「得在多长时间内提」 after the review answer)
                 "以内|之内|内|得|在|提出|提|"
                 # where to turn, no remedy named (「15号还拿不到东西 我找谁说理去」「礼拜五还没动静我咋整」)
                 "咋整|怎么整|说理|讨说法|讨个说法|找谁|东西|去|就|呗|嘛|"
                 "不")  # a question's tail: 「邮件标题要写啥不」


def _words_pattern(words: str) -> re.Pattern:
    """Alternatives longest first: a regex takes the first alternative that matches, so 那 listed
    before 那个 would leave 个 behind (「枣庄那个呢」 was then not a name alone)."""
    return re.compile("|".join(sorted(words.split("|"), key=len, reverse=True)))


_FILLER = _words_pattern(_FILLER_WORDS)
_ASKING = _words_pattern(_ASKING_WORDS)


@dataclass(frozen=True)
class Topic:
    name: str  # an FAQ id, or one of ACTION_TOPICS' values
    question: str = ""  # what the citizen asked (for a calculation: the text it was computed from)
    agency: Optional[str] = None  # the agency the answer was for, when the answer says
    detail: str = ""  # case_status: the status message the citizen was shown


@dataclass(frozen=True)
class Plan:
    """How to answer a follow-up: ``kind`` faq | message | due_date | due_date_extension | fee |
    report | case."""
    kind: str
    target: str  # FAQ id, message name, the question to compute from, or the case part
    agency: Optional[str] = None  # None: the conversation's agency
    lines: Tuple[str, ...] = ()  # kind faq: only the sentences containing one of these words
    topic: str = ""  # the topic the answer leaves the conversation in
    question: str = ""


@dataclass(frozen=True)
class FollowUps:
    short: int
    cues: Tuple[str, ...]
    kinds: Mapping[str, Tuple[str, ...]]
    topics: Mapping[str, Mapping[str, Any]]
    agency_words: Tuple[str, ...] = ()
    fields: Mapping[str, str] = dataclasses.field(default_factory=dict)
    synonyms: Mapping[str, str] = dataclasses.field(default_factory=dict)
    # FAQ → words only a question about that FAQ's subject uses (过程性 for process_info)
    own_subjects: Mapping[str, Tuple[str, ...]] = dataclasses.field(default_factory=dict)
    # kind → what answers it after a topic without an entry for it
    anywhere: Mapping[str, Mapping[str, Any]] = dataclasses.field(default_factory=dict)
    # FAQ → kind → another FAQ's lines a second question in the same message asks for
    also: Mapping[str, Mapping[str, Any]] = dataclasses.field(default_factory=dict)

    def names_subject_of(self, faq_id: Optional[str], text: str) -> bool:
        """The message names the subject of ``faq_id`` (own_subjects)."""
        if not faq_id:
            return False
        folded = fold(text)
        return any(fold(word) in folded for word in self.own_subjects.get(faq_id, ()))

    def related(self, topic: str) -> List[str]:
        return list((self.topics.get(topic) or {}).get("related") or [])

    def part(self, topic: str, text: str) -> Optional[str]:
        """The FAQ of the part of the topic's answer a follow-up names (「复议找谁」 after the
        remedies overview: review), longest word first; None if it names none."""
        parts = (self.topics.get(topic) or {}).get("parts") or {}
        folded = fold(text)
        return next((parts[word] for word in sorted(parts, key=len, reverse=True)
                     if fold(word) in folded), None)

    def part_words(self, topic: str, part: str) -> List[str]:
        """The words naming ``part`` among the topic's parts (复议 → review)."""
        parts = (self.topics.get(topic) or {}).get("parts") or {}
        return [word for word, faq in parts.items() if faq == part]

    def subject(self, topic: str) -> Tuple[str, ...]:
        """Words naming the topic's own subject (补正 for correction_request): a follow-up may
        repeat them and still ask nothing else (「给我几天时间补」)."""
        return tuple((self.topics.get(topic) or {}).get("subject") or ())


def load_followups(path: Path = FOLLOWUPS_FILE) -> FollowUps:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return FollowUps(int(data.get("short", 0)), tuple(data.get("cues") or ()),
                     {kind: tuple(words) for kind, words in (data.get("kinds") or {}).items()},
                     data.get("topics") or {}, tuple(data.get("agency_words") or ()),
                     dict(data.get("fields") or {}), dict(data.get("synonyms") or {}),
                     {faq: tuple(words) for faq, words in (data.get("own_subjects") or {}).items()},
                     dict(data.get("anywhere") or {}), dict(data.get("also") or {}))


@lru_cache(maxsize=1)
def followups() -> FollowUps:
    return load_followups()


def problems(kb: KnowledgeBase, follow: FollowUps) -> List[str]:
    """What in the follow-up map does not exist (an FAQ, a message, a kind)."""
    found = []
    for topic, entries in follow.topics.items():
        if topic not in kb.faqs and topic not in ACTION_TOPICS.values():
            found.append(f"unknown topic {topic}")
        for kind, target in entries.items():
            if kind == "related":
                found += [f"{topic}: unknown related FAQ {f}" for f in target if f not in kb.faqs]
                continue
            if kind == "subject":
                continue
            if kind == "parts":
                found += [f"{topic}: unknown part FAQ {f}" for f in target.values() if f not in kb.faqs]
                continue
            if kind not in follow.kinds:
                found.append(f"{topic}: unknown kind {kind}")
            if "faq" in target and target["faq"] not in kb.faqs:
                found.append(f"{topic}.{kind}: unknown FAQ {target['faq']}")
            if "message" in target and target["message"] not in kb.messages:
                found.append(f"{topic}.{kind}: unknown message {target['message']}")
    found += [f"own_subjects: unknown FAQ {faq}" for faq in follow.own_subjects if faq not in kb.faqs]
    found += [f"anywhere: unknown kind {kind}" for kind in follow.anywhere if kind not in follow.kinds]
    found += [f"anywhere.{kind}: unknown FAQ {target.get('faq')}" for kind, target in follow.anywhere.items()
              if "faq" in target and target["faq"] not in kb.faqs]
    for faq, entries in follow.also.items():
        found += [f"also: unknown FAQ {faq}"] if faq not in kb.faqs else []
        found += [f"also.{faq}: unknown kind {kind}" for kind in entries if kind not in follow.kinds]
        found += [f"also.{faq}.{kind}: unknown FAQ {target['faq']}" for kind, target in entries.items()
                  if target.get("faq") not in kb.faqs]
    return found


# ---- the topic, from the tracker's events --------------------------------------------------------

def topic_of(events: Sequence[Mapping[str, Any]]) -> Optional[Topic]:
    """The topic of this session: what the latest answer was about (None before any answer).
    「您是不是想问」, not-understood and small-talk replies leave the topic as it was."""
    texts: List[str] = []  # the bot's texts after the action being looked at, in order
    found: Optional[str] = None
    for event in history.newest_first(events):
        kind = history.kind(event)
        if kind == history.BOT and found is None:
            metadata = history.metadata(event)
            name = metadata.get(history.TOPIC) or metadata.get(history.FAQ_ID)
            if name == "case_status":  # a follow-up about the case: the look-up holds its details
                continue
            if name:
                return Topic(name, metadata.get(history.TOPIC_QUESTION) or "",
                             metadata.get(history.AGENCY))
            texts.insert(0, event.get("text") or "")
        elif kind == history.ACTION and found is None:
            name = event.get("name") or ""
            if name in ACTION_TOPICS and not texts:
                continue  # it said nothing: a look-up ended before checking (a follow-up instead)
            found = ACTION_TOPICS.get(name)
            if found is None:
                texts = []
        elif kind == history.USER and found is not None:
            return Topic(found, history.text(event), None, "\n".join(texts))
    return None


# ---- recognising a follow-up ---------------------------------------------------------------------

def has_cue(text: str, follow: FollowUps) -> bool:
    """A cue word (那…呢, 他们, 这个 …): the message leans on the previous answer."""
    folded = fold(text)
    return any(cue in folded for cue in follow.cues)


def is_follow_up(text: str, follow: FollowUps) -> bool:
    """Leans on the previous answer: a cue word or a very short message."""
    folded = fold(text)
    return bool(folded) and (len(folded) <= follow.short or has_cue(text, follow))


# the phone as the way something was said (「他们电话里说要延期」「区里来电话说收着了」), not asked for
_SAID_BY_PHONE = re.compile(r"(?:打|来|通过|在)?电话(?:里|上|中)(?:说|讲|告诉|通知)?|(?:打|来)电话(?:说|讲|告诉|通知)")


def follow_up_kind(text: str, follow: FollowUps) -> Optional[str]:
    folded = fold(_SAID_BY_PHONE.sub("", text))
    return next((kind for kind, words in follow.kinds.items()
                 if any(word in folded for word in words)), None)


def only_words(text: str, words: Iterable[str], filler: re.Pattern = _FILLER) -> bool:
    """The message says nothing but ``words`` and ``filler``."""
    rest = fold(text)
    for word in sorted(words, key=len, reverse=True):
        rest = rest.replace(fold(word), "")
    return not filler.sub("", rest)


def only_names(text: str, names: Iterable[str]) -> bool:
    """The message says nothing but a name (and filler): 「那枣庄的呢」「我说的是张店」."""
    return only_words(text, names)


def only_asks(text: str, kind: Optional[str], topic: str, follow: FollowUps) -> bool:
    """The message is nothing but a follow-up of ``kind`` about the topic's own subject
    (「超期了怎么办」「能催一下吗」「给我几天时间补」): it leans on the topic even where the
    retrieval is sure of some FAQ."""
    if kind is None:
        return False
    asked = [word for other in follow.topics.get(topic) or {} if other in follow.kinds
             for word in follow.kinds[other]]  # 「我想催办，找谁」: two of the topic's kinds
    return only_words(text, asked + list(follow.subject(topic)), _ASKING)


def plan_follow_up(text: str, topic: Optional[Topic], named_agency: Optional[str],
                   agency_names: Iterable[str], today: dt.date,
                   follow: Optional[FollowUps] = None,
                   sure_faq: Optional[str] = None) -> Optional[Plan]:
    """How to answer ``text`` in ``topic``, or None when it is not a follow-up of it (then the
    message is answered as a question of its own). ``named_agency``: an agency the message names,
    ``agency_names``: the words naming it in the message; ``sure_faq``: the FAQ the retrieval is
    sure the message asks, if any — a short message without a cue word that is clearly another
    question (「复议期限是多久」 after 补正) is that question, not a follow-up."""
    if topic is None:
        return None
    follow = follow or followups()
    text = normalize_text(text)
    if topic.name == "case_status" and textparse.asks_timing(text) and textparse.tells_a_day(text, today):
        # 「通知我是20号才收到的 那最晚哪天交钱」 after a look-up: the day the citizen tells is not in
        # the record shown, so the date is computed from what they say
        return Plan("due_date", text, topic="due_date", question=text)
    if _COUNTS_AS_RECEIVED.search(text) and textparse.tells_a_day(text, today):
        # 「我明儿上午就去 那明儿就算他们收着了吧」: the day it is received, and the dates from it
        return Plan("due_date", text, topic="due_date", question=text)
    answered_on = case_answered_on(topic.detail) if topic.name == "case_status" else None
    if (answered_on is not None and textparse.asks_timing(text) and not textparse.tells_a_day(text, today)
            and follow.part(topic.name, text) in REMEDY_TOPICS + ("complaint",)):
        # 「给的东西少了好几页 我要复议 最晚哪天」「…我还能复议吗 来得及不」 after a look-up that shows
        # the answer's day: the remedy's last day from that day (the reply says it assumes it was
        # received then)
        question = f"{answered_on.month}月{answered_on.day}日收到的答复，{text}"
        return Plan("case_remedy_due", question, topic="due_date", question=question)
    if (topic.name == "case_status" and textparse.asks_when(text) and follow.part(topic.name, text) is None
            and follow_up_kind(text, follow) in (None, "when_due", "how_long", "extend", "restart")):
        # 「不延期的话原本该是哪天」 after a look-up: when, of this case (its due lines say both days),
        # whatever FAQ the words resemble; a remedy named (「复议最晚哪天」) is that remedy's, and
        # 「到期了还不答复怎么办」 asks what then
        return Plan("case", "due", topic=topic.name, question=topic.question)
    if (topic.name == "due_date" and (textparse.asks_when(text) or EXTENSION.search(text))
            and not _NOT_THE_DATE.search(text)
            and not textparse.tells_a_day(text, today) and textparse.parse_channel(text) is None):
        # 「延期的话最多到哪天」「那最晚啥时候答复我」「到时候会不会再延一回」 after a computed date:
        # the same history again (extended, if asked), whatever FAQ the words alone resemble
        recompute = "due_date_extension" if EXTENSION.search(text) else "due_date"
        return Plan(recompute, topic.question, topic="due_date", question=topic.question)
    if ((topic.name in REMEDY_TOPICS or sure_faq in REMEDY_TOPICS) and textparse.asks_when(text)
            and not textparse.tells_a_day(text, today) and textparse.tells_a_day(topic.question, today)):
        # 「行政复议申请期限截至何日」 after 「答复书10月16日送达，能直接起诉吗」 (a remedy asked of, or
        # answered): the last day for the date told then
        question = f"{topic.question}，{text}"
        return Plan("due_date", question, topic="due_date", question=question)
    # longer and without a cue, but nothing beyond the topic's own follow-up words and asking
    # (「到时候还不答复的话怎么办」 after a due date): it leans on the topic all the same
    if (not is_follow_up(text, follow)
            and not (named_agency and only_names(text, agency_names))  # 「我们是张店区政府的」
            and not only_asks(text, kind_of(text, topic.name, follow), topic.name, follow)
            and not only_asks_anywhere(text, topic.name, follow)
            and not situation_and_remedy(text, topic.name, follow)):
        return None
    if sure_faq != topic.name and follow.names_subject_of(sure_faq, text):
        # 「他们回我说是过程性信息不给 这说得过去吗」 after the request: cue and 不给 notwithstanding,
        # it asks about the refusal the retrieval is sure of, by its name
        return None
    part = follow.part(topic.name, text)
    if part is not None and part != topic.name:  # 「投诉找谁」 after the remedies overview
        asked = part_kind(text, part, follow)
        if asked is None and only_words(text, follow.part_words(topic.name, part)):
            # 「市政府办公室的呢」 after 「张店区法院电话多少」: the question asked before, of that body
            asked = part_kind(topic.question, part, follow)
        if asked is None:
            return Plan("faq", part, named_agency, topic=part, question=text)
        return _planned(follow.topics[part][asked], Topic(part, topic.question, topic.agency),
                        named_agency, asked_fields(text, follow))
    kind = follow_up_kind(text, follow)
    if (kind == "contact" and topic.name not in AGENCY_CARDS and topic.name != "case_status"
            and not any(fold(word) in fold(text) for word in follow.subject(topic.name))
            and (named_agency or any(fold(word) in fold(text) for word in follow.agency_words))):
        # 「区政府办的电话呢」「审批局自己的电话呢」 after the complaint body: the agency, not the body
        # (but 「枣庄的年报在哪下」 after where reports are published asks the topic's own subject)
        return Plan("faq", "contact_info", named_agency, topic="contact_info", question=text)
    calculation = _calculation_again(text, topic, today)
    if calculation is not None:
        return calculation
    entries = follow.topics.get(topic.name) or {}
    if kind == "time_limit" and kind not in entries and "how_long" in entries:
        kind = "how_long"  # 「有没有时间限制」 of a remedy that has one: how long it is
    elsewhere = follow.anywhere.get(kind) if kind and kind not in entries else None
    if kind not in entries:
        kind = None
    if topic.name == "info_request" and named_agency and only_names(text, agency_names):
        # the request's answer says to apply to the body that made it; the citizen names it
        # (「是市审批局批的」「我们是张店的」): a name alone asks no FAQ, however sure the retrieval
        return Plan("faq", "how_to_submit", named_agency, topic="how_to_submit", question=text)
    if (sure_faq and sure_faq != topic.name and not has_cue(text, follow)
            and not only_asks(text, kind, topic.name, follow)):
        return None
    if kind:
        return _planned(entries[kind], topic, named_agency, asked_fields(text, follow))
    if topic.name == "due_date" and named_agency and only_names(text, agency_names):
        # 「我说的是枣庄审批局」: the same dates (the law and the national holidays fix them), said
        # for that agency
        return Plan("due_date", topic.question, named_agency, topic="due_date", question=topic.question)
    if topic.name == "due_date":
        again = _due_date_again(text, topic, today)
        if again is not None or elsewhere is None:
            return again
    if topic.name == "annual_report":
        text = _years_from_topic(text, topic, today)
        if (named_agency or reports.asked_years(text, today) or reports.asked_aspect(text)
                or reports.asked_category(knowledge.cached(), text)):
            return _report_again(text, topic, named_agency, today)
    if named_agency and topic.name != "case_status" and only_names(text, agency_names):
        if topic.name in ACTION_TOPICS.values():
            return None  # a fee is the same everywhere; a look-up is of one case
        return Plan("faq", topic.name, named_agency, topic=topic.name, question=topic.question)
    if elsewhere is not None:
        # 「我要是不补呢」 after the reply deadline: a kind that names its own answer in any topic
        # (after the topic's own readings: 「逾期不补正的呢」 after a report is another figure)
        return _planned(elsewhere, topic, named_agency, asked_fields(text, follow))
    return None


def also_asked(text: str, faq_id: str, follow: FollowUps) -> List[Tuple[str, Tuple[str, ...]]]:
    """Other FAQs and their lines that further questions in the message ask for, beside the FAQ
    answered (「上哪去说 几点有人」 answered with the office hours: the address too); ``lines:
    asked`` takes the fields the message names (「应发送至哪个邮箱」: the 邮箱 line)."""
    folded = fold(normalize_text(text))
    found = []
    for kind, target in (follow.also.get(faq_id) or {}).items():
        if any(fold(word) in folded for word in follow.kinds.get(kind, ())):
            lines = asked_fields(text, follow) if target["lines"] == "asked" else tuple(target["lines"])
            found.append((target["faq"], lines))
    return found


# the topic a workday answer leaves when there was none before (「那10月11号呢」 next asks it again)
WORKDAY_TOPIC = "workday"


def workday_asked(text: str, topic: Optional[Topic], today: dt.date) -> Optional[dt.date]:
    """The day a message asks whether it is a working day (「10月10号那个礼拜六也算工作日？」); after
    such an answer a day alone with a cue (「那10月11号呢」) asks it too."""
    text = normalize_text(text)
    elliptic = topic is not None and topic.name == WORKDAY_TOPIC and has_cue(text, followups())
    return textparse.asks_if_workday(text, today, elliptic=elliptic)


# kinds that tell the situation (「不答复的话去哪投诉」) rather than what is asked of a remedy
SITUATION_KINDS = ("overdue", "decided_refusal", "refused", "disagree")


def tells_of_no_answer(text: str, follow: FollowUps) -> bool:
    """The message complains that no answer came (「申请了三个多月了根本没人理我」「一直没动静」)."""
    folded = fold(text or "")
    return any(fold(word) in folded for kind in ("overdue", "refused") for word in follow.kinds.get(kind, ()))


def situation_and_remedy(text: str, topic: str, follow: FollowUps) -> bool:
    """The situation, and something asked of a remedy of the topic's answer (「延期完了还不给 我去哪告」
    after a due date; 「真不给的话 我去法院告行不」): it leans on the topic, however long, and whatever
    FAQ its other words resemble. Not after a look-up (the case's own follow-ups), and not when the
    situation is one the remedy's own follow-ups answer (「不给的话我能复议吗」 is not about a review
    body that does not answer)."""
    part = follow.part(topic, text)
    if part is None or topic == "case_status":
        return False
    folded = fold(text)
    # the situation read as the remedy's own (review.refused: the review body does not answer)
    # would answer what happens after that remedy, not whether it applies
    asked = part_kind(text, part, follow)
    return asked not in SITUATION_KINDS and any(
        word in folded for kind in SITUATION_KINDS for word in follow.kinds.get(kind, ()))


def part_kind(text: str, part: str, follow: FollowUps) -> Optional[str]:
    """The kind of follow-up asked of the remedy ``part`` a message names, among those its topic
    answers: what is asked (who, contact, how long) before the situation it is asked in; the
    situation alone when nothing else is asked (「投诉了他们也不理呢」: complaint.refused)."""
    folded = fold(text)
    found = [kind for kind, words in follow.kinds.items()
             if kind in (follow.topics.get(part) or {}) and any(word in folded for word in words)]
    asked = [kind for kind in found if kind not in SITUATION_KINDS]
    return next(iter(asked or found), None)


def only_asks_anywhere(text: str, topic: str, follow: FollowUps) -> bool:
    """The message is nothing but a follow-up of a kind answered after any topic (`anywhere`), one
    the topic has no entry of its own for: 「补完了是重新算时间吗」 after a computed date."""
    kind = follow_up_kind(text, follow)
    if kind is None or kind not in follow.anywhere or kind in (follow.topics.get(topic) or {}):
        return False
    return only_words(text, list(follow.kinds[kind]) + list(follow.subject(topic)), _ASKING)


def kind_of(text: str, topic: str, follow: FollowUps) -> Optional[str]:
    """The follow-up's kind where ``topic`` answers it, else None."""
    kind = follow_up_kind(text, follow)
    return kind if kind in (follow.topics.get(topic) or {}) else None


# Answers that are themselves the agency's contact card (a follow-up naming an agency and asking
# for its phone gets that agency's card; after these the card of the topic's FAQ is the same).
AGENCY_CARDS = ("contact_info", "office_hours", "website_wechat", "reading_room")
# FAQ answers that state a rule a citizen's own figures are computed by (actions/faq.py)
FEE_TOPICS = ("fee", "fee_principle", "fee_per_item", "fee_per_page", "fee_practice")
DATE_TOPICS = ("due_date", "reply_deadline", "receipt_date", "extension")
# 「行政复议申请期限截至何日」 after a remedy answer to a question that told its reply's date
REMEDY_TOPICS = ("remedies", "review", "review_mandatory", "litigation", "litigation_after_review")


def _calculation_again(text: str, topic: Topic, today: dt.date) -> Optional[Plan]:
    """「那50件呢」「不对，只有80页」 after a fee (or the fee rules): the fee for the new figure;
    「那11月4号交的呢」 after the reply-deadline rule, or 「那最晚哪天」 after the receipt-date rule
    asked with dates: the due date."""
    if topic.name in FEE_TOPICS and textparse.parse_quantity(text):
        return Plan("fee", text, topic="fee", question=text)
    if (topic.name in DATE_TOPICS and topic.name != "due_date"
            and textparse.tells_a_day(text, today)):
        return Plan("due_date", text, topic="due_date", question=text)
    if (topic.name in DATE_TOPICS and topic.name != "due_date" and textparse.asks_when(text)
            and textparse.tells_a_day(topic.question, today)):
        # 「那最晚啥时候答复我」 after 「11月3号发的邮件，5号才确认，按哪天算」: the dates told before
        question = f"{topic.question}，{text}"
        return Plan("due_date", question, topic="due_date", question=question)
    return None


def asked_fields(text: str, follow: FollowUps) -> Tuple[str, ...]:
    """The words the answer's lines carry for what ``text`` asks (「邮箱呢」 → 邮箱)."""
    folded = fold(text)
    return tuple(dict.fromkeys(field for word, field in follow.fields.items() if fold(word) in folded))


# the agency card's own fields (contact_info), and words that ask for them
CARD_FIELDS = ("电话", "地址", "邮箱", "传真", "邮编")
_GIVE_ME = re.compile(r"给我(?:留|说|发|报|写|来|个)|告诉我|发我|留(?:一|个)|是多少|多少号|是啥|是什么|是[？?]?$")
# a body other than the agency itself (its card is not theirs)
_OTHER_BODY = re.compile(r"复议|法院|投诉|举报|上级|监督|监察|热线|12345")
# 「邮箱地址」「邮件地址」 are the email, not the street address
_EMAIL_ADDRESS = re.compile(r"(邮箱|邮件|email)地址", re.IGNORECASE)


def card_request(text: str, follow: FollowUps) -> Tuple[str, ...]:
    """The card fields ``text`` asks to be given (「审批局地址再给我说一遍」「电话给我留一个」
    「邮箱地址是？」), or () when it asks for none, asks something else of them (「电话能申请吗」)
    or asks for another body's."""
    text = _EMAIL_ADDRESS.sub(r"\1", text or "")
    if _OTHER_BODY.search(text) or not (_AGAIN.search(text) or _GIVE_ME.search(text)):
        return ()
    return tuple(field for field in asked_fields(text, follow) if field in CARD_FIELDS)


def _planned(target: Mapping[str, Any], topic: Topic, named_agency: Optional[str],
             asked: Tuple[str, ...] = ()) -> Plan:
    if "case" in target:
        return Plan("case", target["case"], topic=topic.name, question=topic.question)
    if "message" in target:
        # the remedies a message lists are a topic of their own (「投诉找谁」 next)
        return Plan("message", target["message"], named_agency, topic=target.get("topic", topic.name),
                    question=topic.question)
    lines = target.get("lines") or ()
    lines = asked if lines == "asked" else tuple(lines)  # 「他们的邮箱呢」: the line asked for
    # an excerpt keeps the conversation on its topic; a whole other answer moves it there
    new_topic = topic.name if lines else target["faq"]
    return Plan("faq", target["faq"], named_agency, lines, new_topic, topic.question)


def _due_date_again(text: str, topic: Topic, today: dt.date) -> Optional[Plan]:
    """「那邮寄的呢」「不对，是3月5日」: the same calculation with the date or channel changed."""
    before = topic.question
    channel = textparse.parse_channel(text)
    new_day = textparse.parse_date(text, today)
    if channel is None and new_day is None and EXTENSION.search(text):
        # 「要是延期呢」「他们说要延期，最晚到哪天」: the same history, extended
        return Plan("due_date_extension", before, topic="due_date", question=before)
    if channel is None and new_day is None:
        if any(word in text for word in MAIL_WORDS):  # mail, but which kind decides the day
            return Plan("faq", "receipt_date", lines=("邮寄",), topic="receipt_date", question=text)
        return None
    channel = channel or textparse.parse_channel(before)
    how = CHANNEL_WORDS.get(channel, "") if channel else ""
    if new_day is not None:
        question = f"{text}，{how}" if how else text
    else:
        old_day = textparse.parse_date(before, today)
        if old_day is None:
            return None
        question = deadlines.format_date_zh(old_day) + how
        if any(word in text for word in RECEIPT_WORDS):
            question += "，" + text
    return Plan("due_date", question, topic="due_date", question=question)


# 「再前一年呢」「后一年的呢」 after figures of one year: a year counted from that one
# (normalize_text writes 一 as 1)
_NEIGHBOUR_YEAR = re.compile(r"([前上后下])[一1]年|第[二2]年")


def _years_from_topic(text: str, topic: Topic, today: dt.date) -> str:
    """The neighbouring year of the single year the topic's figures were for, written out."""
    years = reports.asked_years(topic.question, today)
    if len(years) != 1:
        return text
    return _NEIGHBOUR_YEAR.sub(
        lambda match: f"{years[0] + (-1 if match.group(1) in ('前', '上') else 1)}年", text)


def _report_again(text: str, topic: Topic, named_agency: Optional[str], today: dt.date) -> Plan:
    """「那2022年的呢」「枣庄的呢」「都是关于什么的」「部分公开的呢」: the same figures for another
    year or agency, another aspect or another figure of the same report."""
    before = reports.without_years(topic.question) if reports.asked_years(text, today) else topic.question
    if reports.asked_category(knowledge.cached(), text) and not reports.asked_aspect(text):
        # 「部分公开的呢」「被告的有几件」: that figure instead, for the same years (the agency is
        # the conversation's), whatever else the question before asked
        before = "、".join(f"{year}年" for year in reports.asked_years(before, today))
    question = f"{text}，{before}"
    return Plan("report", question, named_agency, topic="annual_report", question=question)


# ---- answers from the case just looked up ---------------------------------------------------------

def case_lines(detail: str, part: str) -> List[str]:
    """The lines of the status message a case follow-up asks about (due date, remedies)."""
    lines = [line for line in detail.splitlines() if line.strip()]
    header = [line for line in lines if line.startswith("申请编号：")]
    due = [line for line in lines if "依法应于" in line or line.startswith("机关已于")]
    if not due:  # no date (a correction awaited, not yet received): the line on the period
        due = [line for line in lines if "答复期限" in line and line.startswith("机关")]
    source = [line for line in lines if line.startswith("依据：")]  # the status's articles
    if part == "due":
        return header + due + source if due else []
    if part == "remedies":
        start = next((i for i, line in enumerate(lines) if "已超过法定答复期限" in line
                      or line.startswith("如对答复不服")), None)
        remedies = [line for line in lines[start:] if line not in source] if start is not None else []
        return header + due + remedies + source
    return header + due + source


_ANSWERED_ON = re.compile(r"机关已于(\d{4})年(\d{1,2})月(\d{1,2})日作出答复")


def case_answered_on(detail: Optional[str]) -> Optional[dt.date]:
    """The day the looked-up case was answered, as its status shows it (bot/cases/status.py)."""
    match = _ANSWERED_ON.search(detail or "")
    if match is None:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def case_agency_name(detail: str) -> Optional[str]:
    match = re.search(r"申请编号：\S+?（(.+?)）", detail)
    return match.group(1) if match else None


def sentences_with(text: str, words: Sequence[str]) -> List[str]:
    """The sentences of an answer that contain one of ``words``, in order."""
    found = []
    for line in text.splitlines():
        for sentence in re.findall(r"[^。；]+[。；]?", line):
            if any(word in sentence for word in words) and sentence.strip():
                found.append(sentence.strip().rstrip("；") + ("" if sentence.endswith("。") else "。"))
    return found


# characters that say nothing about what is asked (question words, pronouns, particles)
_PLAIN = re.compile(r"[我你他她们的了吗呢吧啊是要不会能可以有这那么什么怎样多少哪呀还就都和在]")


def sentences_about(text: str, question: str, most: int = 2) -> List[str]:
    """The sentences of an answer that share the most with ``question`` (two-character words
    counting double, single characters once; question words and particles not at all), at most
    ``most`` of the best; [] when none shares a two-character word."""
    def words(value: str) -> Tuple[set, set]:
        folded = fold(value)
        chars = {c for c in folded if not _PLAIN.fullmatch(c)}
        pairs = {folded[i:i + 2] for i in range(len(folded) - 1)
                 if folded[i] in chars and folded[i + 1] in chars}
        return pairs, chars
    for word, same in followups().synonyms.items():
        question = question.replace(word, same)
    asked_pairs, asked_chars = words(question)
    sentences = [(sentence, *words(sentence)) for sentence in sentences_with(text, [""])]
    # a word in every sentence (复议 in the review answer) tells the sentences apart least

    def weight(word: str, index: int) -> float:
        return 1.0 / max(1, sum(1 for _, *found in sentences if word in found[index]))
    scored = []
    for sentence, pairs, chars in sentences:
        shared = asked_pairs & pairs
        score = 2 * sum(weight(p, 0) for p in shared) + sum(weight(c, 1) for c in asked_chars & chars)
        scored.append((len(shared), score, sentence))
    if not scored or max(shared for shared, _, _ in scored) == 0:
        return []
    best = max(score for _, score, _ in scored)
    return [sentence for _, score, sentence in scored if score == best][:most]


# ---- said again --------------------------------------------------------------------------------

# 「他们电话再说一遍」「刚才那个邮箱再发一下」: a detail the assistant already gave, asked again
_AGAIN = re.compile(r"再(?:给我|跟我|和我)?(?:说|发|讲|报|念)(?:一遍|一下|一次)|重复一(?:遍|下)|"
                    r"刚才(?:说|给)的|刚刚(?:说|给)的|刚才那个")
# what each asked field looks like in a reply's line
_FIELD_SHAPES = {"电话": re.compile(r"0\d{2,3}-\d{7,8}|(?<!\d)\d{7}(?!\d)"),
                 "邮箱": re.compile(r"[\w.-]+@[\w.-]+\.[a-z]{2,}"),
                 "地址": re.compile(r"[路街道]\d+号"),
                 "邮编": re.compile(r"邮编\d{6}")}


def said_again(text: str, events: Sequence[Mapping[str, Any]],
               agency_id: Optional[str] = None) -> Optional[Tuple[List[str], str]]:
    """The lines of the assistant's latest reply (before this message) that carry what ``text``
    asks to hear again, and that reply's source line; None when the message does not ask for a
    detail again or no earlier reply gave one. A message naming an agency (or 审批局, 局里: the
    conversation's ``agency_id``) wants that agency's own line."""
    if not _AGAIN.search(text or ""):
        return None
    shapes = [_FIELD_SHAPES[field] for field in asked_fields(text, followups()) if field in _FIELD_SHAPES]
    if not shapes:
        return None
    # 「审批局地址再给我说一遍」: that agency's own line, not the complaint body's address given last
    named = knowledge.cached().find_agency(normalize_text(text))
    if named is None and any(fold(word) in fold(text) for word in followups().agency_words):
        named = agency_id
    name = knowledge.cached().agency(named)["name"] if named else ""
    for event in history.before_current(events):  # this session, newest first
        if history.kind(event) != history.BOT:
            continue
        lines = (event.get("text") or "").splitlines()
        found = [line.strip() for line in lines if any(shape.search(line) for shape in shapes)
                 and (not name or name in line or lines[0].startswith(name))]
        if found:
            source = next((line.strip() for line in lines if line.startswith("来源：")), "")
            return found[:2], source
    return None


# ---- options offered ----------------------------------------------------------------------------

def numbered(buttons: Sequence[Mapping[str, str]]) -> List[Dict[str, str]]:
    """Options numbered in their titles, so that every channel shows the number a typed digit
    picks (actions/options.py); WeChat's numbered list does not number them twice."""
    return [{**button, "title": f"{number}. {button['title']}"}
            for number, button in enumerate(buttons, start=1)]


def last_options(events: Sequence[Mapping[str, Any]]) -> List[Mapping[str, Any]]:
    """The buttons of the assistant's latest message with buttons since the citizen's previous
    message (the one being answered now excluded); [] if that reply offered none."""
    return next((history.buttons(event) for event in history.previous_reply(events)
                 if history.kind(event) == history.BOT and history.buttons(event)), [])


def parse_payload(payload: str) -> Tuple[str, Dict[str, Any]]:
    """"/choose_faq{\"faq_id\":\"x\"}" → ("choose_faq", {"faq_id": "x"})."""
    match = re.fullmatch(r"/(\w+)(\{.*\})?", (payload or "").strip(), re.S)
    if not match:
        return "", {}
    try:
        entities = json.loads(match.group(2)) if match.group(2) else {}
    except ValueError:
        entities = {}
    return match.group(1), entities if isinstance(entities, dict) else {}


# ---- the slots --------------------------------------------------------------------------------

# What Rasa makes of a message an action sends (rasa.core.actions.action.create_bot_utterance):
# these keys go into the BotUttered event's data, every other key into its metadata.
_BOT_DATA_KEYS = ("text", "elements", "quick_replies", "buttons", "attachment", "image", "custom",
                  "template", "response")


def topic_slot_events(action_call: Mapping[str, Any], result: Optional[Mapping[str, Any]]
                      ) -> List[Dict[str, Any]]:
    """The ``topic`` and ``topic_question`` slots after an action ran, as events to add to its
    response. bot.serving.action_server adds them to every action's response: the topic is decided
    here, from the events as Rasa will log them (the action, then its messages and events), without
    a second action-server call per turn (which ``action_validate_slot_mappings`` cost:
    docs/benchmarks.md). Both are set every time, changed or not, as that validation action did: a
    conversation's events then do not depend on how much history the tracker store hands over
    (tests/system/conversations/test_tracker_window.py compares them)."""
    tracker = action_call.get("tracker") or {}
    if not isinstance(result, Mapping) or not isinstance(tracker, Mapping):
        return []
    said = [{"event": history.BOT, "text": message.get("text"),
             "data": {key: message.get(key) for key in _BOT_DATA_KEYS if key != "text"},
             "metadata": {k: v for k, v in message.items() if k not in _BOT_DATA_KEYS}}
            for message in result.get("responses") or [] if isinstance(message, Mapping)]
    events = [*(tracker.get("events") or []),
              {"event": history.ACTION, "name": action_call.get("next_action")},
              *said, *(e for e in result.get("events") or [] if isinstance(e, Mapping))]
    topic = topic_of(events)
    values = {"topic": topic.name if topic else None,
              "topic_question": topic.question if topic else None}
    # a slot the action set itself stands (none does today)
    own = {e.get("name") for e in result.get("events") or []
           if isinstance(e, Mapping) and e.get("event") == "slot"}
    return [{"event": "slot", "timestamp": None, "name": name, "value": value}
            for name, value in values.items()
            if name not in own]
