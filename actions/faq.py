"""Answers to knowledge-base questions, rendered for the agency in question; the decision between
answering and asking 「您是不是想问」; follow-ups answered in the conversation's topic
(actions/context.py); never the identical answer twice in a row."""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

from rapidfuzz import fuzz, process
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import context, feedback, handoff, metrics
from actions.calculators import (
    FACTS_SLOT,
    asks_due_date,
    compute_due_date,
    due_date_answer,
    fee_answer,
    from_slot,
    timeline_topic,
    to_slot,
    workday_answer,
)
from actions.common import agency_for, agency_named, kb, latest_entity, unknown_place
from bot.content import reports
from bot.content.knowledge import QuestionIndex, question_key
from bot.core import clock, history
from bot.core.settings import settings
from bot.handoff import buttons
from bot.nlp.normalize import normalize_text
from bot.rules import textparse

RETRIEVAL_INTENT = "faq"
# The lexical signal (rapidfuzz `ratio` over the FAQ examples and titles, 0–100; an FAQ scores its
# closest example). When the retrieval is unsure, the answer is still given when the wording
# confirms one of its candidates (actions/faq.py `confirmed`):
# - agreement: the retrieval's first candidate is the lexically closest FAQ, at least LEXICAL_AGREE
#   (or LEXICAL_AGREE_LOOSE when it leads the lexically second FAQ by LEXICAL_LEAD);
# - a decisive second: the retrieval's second candidate (confidence ≥ SECOND_MIN_CONFIDENCE) is the
#   lexically closest FAQ, at least LEXICAL_SECOND and LEXICAL_SECOND_LEAD ahead of the next FAQ;
# - a near copy: one FAQ has an example at least LEXICAL_NEAR_COPY close to the message.
# Chosen on the dev set bench/dev/questions.yml (bench/decision.py; docs/nlu.md).
LEXICAL_AGREE = 60
LEXICAL_AGREE_LOOSE = 50
LEXICAL_LEAD = 5
LEXICAL_SECOND = 60
LEXICAL_SECOND_LEAD = 10
SECOND_MIN_CONFIDENCE = 0.15
LEXICAL_NEAR_COPY = 90
# the retrieval's candidates must not be hopeless for an agreement to count
AGREE_MIN_CONFIDENCE = 0.2
# A second classifier over the same FAQ questions (character 1–3-grams, TF-IDF, a linear SVM:
# scikit-learn, which Rasa already installs). The first question of a conversation (no topic yet)
# is answered when it names the retrieval's first candidate, that candidate having at least
# CLASSIFIER_MIN_CONFIDENCE. Long written questions spread the retrieval's confidence over many
# FAQs (「本人于…申请…请问…？」 at 0.1–0.5) though its first candidate is right. A follow-up is
# answered so only when that candidate is one the topic leads to (followups.yml `related`). On the
# three development conversation sets (bench/dev/*conversations.yml): at 0.2, 20 asked first
# questions answered, 19 right (the wrong one is right since receipt_date states the 20 working
# days); then at 0.1, 7 more, all right. Follow-ups are left out: there it answered 10, 5 right.
# A question of fewer than CLASSIFIER_MIN_LENGTH characters is asked as before: 「这事儿咋弄」 has
# too few words for two classifiers' agreement to mean much (each first question it answered in
# the development sets had 8 or more).
CLASSIFIER_C = 0.5
CLASSIFIER_MIN_CONFIDENCE = 0.1
CLASSIFIER_MIN_LENGTH = 8
# how many FAQs 「您是不是想问」 offers (suggestion_buttons shows at most four, then 转人工)
ASK_OPTIONS = 4

Lexical = List[Tuple[str, float]]  # (FAQ id, closeness 0–100), closest first


def faq_ranking(tracker: Tracker) -> List[Dict[str, Any]]:
    """The ResponseSelector's candidates for the latest message, best first:
    [{"faq_id": ..., "confidence": ...}]."""
    selector = (tracker.latest_message.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
    ranking = []
    for candidate in selector.get("ranking") or []:
        key = candidate.get("intent_response_key") or ""
        faq_id = key.split("/", 1)[1] if key.startswith(f"{RETRIEVAL_INTENT}/") else None
        if faq_id in kb().faqs:
            ranking.append({"faq_id": faq_id, "confidence": float(candidate.get("confidence", 0))})
    return ranking


def suggestion_buttons(faq_ids: Sequence[str], agency_id: str, limit: int = 4) -> List[Dict[str, str]]:
    """The FAQs offered, numbered, with 「都不是，转人工」 last."""
    options = [{"title": kb().faqs[faq_id].title,
                "payload": f'/choose_faq{{"faq_id":"{faq_id}"}}'} for faq_id in faq_ids[:limit]]
    return context.numbered(options + [buttons.human(kb(), agency_id, after_options=True)])


# ---- answer or ask ---------------------------------------------------------------------------

@lru_cache(maxsize=256)
def _lexical_ranking(query: str, questions: QuestionIndex) -> Tuple[Tuple[str, float], ...]:
    best: Dict[str, float] = {}
    for owner, score in zip(questions.owners,
                            process.cdist([query], questions.keys, scorer=fuzz.ratio)[0]):
        if score > best.get(owner, -1.0):
            best[owner] = float(score)
    return tuple(sorted(best.items(), key=lambda item: -item[1]))


class WordingClassifier:
    """The FAQ whose questions ``text`` reads most like (see CLASSIFIER_C)."""

    def __init__(self, questions: QuestionIndex):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        self._vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        features = self._vectorizer.fit_transform(questions.keys)
        self._svm = LinearSVC(C=CLASSIFIER_C).fit(features, questions.owners)

    def best(self, text: str) -> Optional[str]:
        query = question_key(text or "")
        if not query:
            return None
        scores = self._svm.decision_function(self._vectorizer.transform([query]))[0]
        return str(self._svm.classes_[scores.argmax()])


_classifiers: Dict[int, Tuple[QuestionIndex, WordingClassifier]] = {}


def wording_classifier() -> WordingClassifier:
    """The classifier of the knowledge base served now, trained on first use (~0.2 s; a reloaded
    copy with a new paraphrase gets its own)."""
    questions = kb().questions
    kept = _classifiers.get(id(questions))
    if kept is None or kept[0] is not questions:
        _classifiers.clear()
        kept = _classifiers[id(questions)] = (questions, WordingClassifier(questions))
    return kept[1]


def lexical_ranking(text: str) -> Lexical:
    """Every FAQ with the closeness (0–100) of its example closest to ``text``, closest first, in
    the knowledge base served now (a reloaded copy brings its own questions)."""
    query = question_key(text or "")
    return list(_lexical_ranking(query, kb().questions)) if query else []


def lexical_best(text: str) -> Tuple[Optional[str], float]:
    """The FAQ with the example closest to ``text`` and how close (0–100)."""
    ranking = lexical_ranking(text)
    return ranking[0] if ranking else (None, 0.0)


def is_unsure(ranking: List[Dict[str, Any]]) -> bool:
    """The retrieval alone: its top candidate below GONGKAI_FAQ_CONFIDENCE or the top two closer
    than GONGKAI_FAQ_MARGIN."""
    if not ranking:
        return True
    top = ranking[0]["confidence"]
    second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
    return top < settings.answers.faq_confidence or top - second < settings.answers.faq_margin


def confirmed(ranking: List[Dict[str, Any]], text: str,
              lexical: Optional[Lexical] = None) -> Optional[str]:
    """The retrieval's candidate the wording confirms (agreement, or a decisive second; see
    LEXICAL_AGREE), or None."""
    lexical = lexical_ranking(text) if lexical is None else lexical
    if not ranking or not lexical:
        return None
    best, score = lexical[0]
    lead = score - (lexical[1][1] if len(lexical) > 1 else 0.0)
    first = ranking[0]
    if first["confidence"] >= AGREE_MIN_CONFIDENCE and best == first["faq_id"] and (
            score >= LEXICAL_AGREE or (score >= LEXICAL_AGREE_LOOSE and lead >= LEXICAL_LEAD)):
        return best
    if (len(ranking) > 1 and best == ranking[1]["faq_id"]
            and ranking[1]["confidence"] >= SECOND_MIN_CONFIDENCE
            and score >= LEXICAL_SECOND and lead >= LEXICAL_SECOND_LEAD):
        return best
    return None


def agreed(ranking: List[Dict[str, Any]], text: str) -> Optional[str]:
    """The candidate to answer with when the retrieval is unsure but the wording confirms it
    (`confirmed`) — the not-understood reply uses the same rule."""
    return confirmed(ranking, text)


def decide(ranking: List[Dict[str, Any]], text: str,
           lexical: Optional[Lexical] = None, first_question: bool = False,
           related: Sequence[str] = ()) -> Tuple[str, Any]:
    """("answer", faq_id) or ("ask", [faq_id, …]): the retrieval when it is sure; else the
    lexical signal when it confirms one of the retrieval's first two candidates or finds a near
    copy; else, for a conversation's first question, the wording classifier when it names the
    retrieval's first candidate (CLASSIFIER_C); else ask (ask_options)."""
    if ranking and not is_unsure(ranking):
        return "answer", ranking[0]["faq_id"]
    lexical = lexical_ranking(text) if lexical is None else lexical
    chosen = confirmed(ranking, text, lexical)
    if chosen:
        return "answer", chosen
    if lexical and lexical[0][1] >= LEXICAL_NEAR_COPY:
        return "answer", lexical[0][0]
    if (ranking and (first_question or ranking[0]["faq_id"] in related)
            and len(question_key(text)) >= CLASSIFIER_MIN_LENGTH
            and ranking[0]["confidence"] >= CLASSIFIER_MIN_CONFIDENCE
            and wording_classifier().best(text) == ranking[0]["faq_id"]):
        return "answer", ranking[0]["faq_id"]
    return "ask", ask_options(ranking, text, lexical)


def ask_options(ranking: List[Dict[str, Any]], text: str,
                lexical: Optional[Lexical] = None) -> List[str]:
    """The FAQs offered by 「您是不是想问」: the retrieval's top three and the lexically closest FAQ,
    or the retrieval's fourth when that one is already among them (four options either way: the
    right one is offered more often)."""
    lexical = lexical_ranking(text) if lexical is None else lexical
    best = lexical[0][0] if lexical else None
    options = [c["faq_id"] for c in ranking[:ASK_OPTIONS - 1]]
    for candidate in [best, *(c["faq_id"] for c in ranking[ASK_OPTIONS - 1:])]:
        if len(options) >= ASK_OPTIONS:
            break
        if candidate and candidate not in options:
            options.append(candidate)
    return options


# ---- answering -------------------------------------------------------------------------------

def worked_example(faq_id: str, text: str, agency_id: str) -> Optional[str]:
    """FAQ answers that state a rule; when the question also carries the citizen's own figure, the
    computed result for that figure follows the rule."""
    text = normalize_text(text)
    if faq_id in FEE_FAQS and textparse.parse_quantity(text):
        return fee_answer(text, agency_id)
    if faq_id in DEADLINE_FAQS and textparse.tells_a_day(text, clock.today()):
        return due_date_answer(text, agency_id)[0]
    # 「复议决定书11月18日收到的，最晚哪天起诉」: the remedy's rule, then its last day for that date
    if faq_id in REMEDY_FAQS and textparse.asks_timing(text) and textparse.tells_a_day(text, clock.today()):
        return due_date_answer(text, agency_id)[0]
    return None


FEE_FAQS = {"fee_principle", "fee_per_item", "fee_per_page"}
# answers about the agency itself (its card, hours, channels, form), not about another body
AGENCY_OWN = {*context.AGENCY_CARDS, "how_to_submit", "application_form"}
# 「11月19日收到收费通知，缴费期限截至何日」: fee_payment's rule, then the day for that date
DEADLINE_FAQS = {"reply_deadline", "receipt_date", "extension", "correction_request", "fee_payment"}
REMEDY_FAQS = set(context.REMEDY_TOPICS)


def topic_fields(topic: str, question: str) -> Dict[str, Any]:
    """Bot-message metadata naming the topic the message leaves the conversation in."""
    return {history.TOPIC: topic, history.TOPIC_QUESTION: question}


def answer_fields(agency_id: str, topic: str, question: str) -> Dict[str, Any]:
    """Bot-message metadata of an answer for ``agency_id`` that leaves the conversation in ``topic``."""
    return {history.AGENCY: agency_id, **topic_fields(topic, question)}


def is_repeat(tracker: Tracker, faq_id: str, agency_id: str) -> bool:
    """The answer about to be given is the one the previous answer gave."""
    topic = context.topic_of(tracker.events)
    return (topic is not None and topic.name == faq_id and topic.agency == agency_id
            and last_answer_was(tracker, faq_id))


def same_question(tracker: Tracker, text: str) -> bool:
    """The citizen typed the question they asked just before again."""
    before = history.previous_typed(tracker.events)
    return before is not None and question_key(before) == question_key(text)


def last_answer_was(tracker: Tracker, faq_id: str) -> bool:
    """The assistant's latest message before this turn was the whole answer to ``faq_id``."""
    said = next((event for event in history.previous_reply(tracker.events)
                 if history.kind(event) == history.BOT), None)
    metadata = history.metadata(said) if said is not None else {}
    return metadata.get(history.FAQ_ID) == faq_id and not metadata.get(history.EXCERPT)


def agency_specific(faq_id: str) -> bool:
    """The FAQ's answer says more than the agency's name that differs between agencies (phones,
    bodies, channels): answering it for the wrong agency would be wrong."""
    catalogue = kb()
    return _agency_specific(id(catalogue), faq_id)


@lru_cache(maxsize=256)
def _agency_specific(catalogue_id: int, faq_id: str) -> bool:
    catalogue = kb()
    texts = set()
    for agency_id, record in catalogue.agencies.items():
        texts.add(catalogue.render(faq_id, agency_id).text.replace(record["name"], "{agency}"))
    return len(texts) > 1


def agency_unclear(tracker: Tracker, faq_id: str) -> bool:
    """The citizen asks an agency-specific question about a body the directory does not hold
    (「桓台县审批局电话」) and names no agency of the directory by a button. Which agency to ask
    is itself the question of which_agency: that one is answered."""
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/") or faq_id == "which_agency" or not agency_specific(faq_id):
        return False
    return unknown_place(text) is not None


def ask_agency(dispatcher: CollectingDispatcher, faq_id: str, text: str,
               agency_id: str) -> List[Dict[Text, Any]]:
    """「请问您问的是哪个机构？」 with the directory's agencies as numbered options; the topic stays
    on the question, so that 「张店的」 or a typed number answers it."""
    options = [{"title": record["name"],
                "payload": f'/choose_faq{{"faq_id":"{faq_id}","agency":"{other}"}}'}
               for other, record in kb().agencies.items()]
    dispatcher.utter_message(text=kb().message("agency_unclear", agency_id),
                             buttons=context.numbered(options), **topic_fields(faq_id, text))
    return []


async def answer_faq(dispatcher: CollectingDispatcher, tracker: Tracker, faq_id: str,
                     agency_id: str, text: str, lines: Sequence[str] = (),
                     topic: Optional[str] = None) -> List[Dict[Text, Any]]:
    """The answer to ``faq_id`` for ``agency_id`` (only its sentences containing ``lines``, if
    given); the same answer twice in a row becomes a pointer to it with what else applies; a
    question about an agency the directory does not hold asks which agency instead."""
    if not lines and agency_unclear(tracker, faq_id):
        return ask_agency(dispatcher, faq_id, text, agency_id)
    again = not lines and is_repeat(tracker, faq_id, agency_id)
    if again:
        # asked again in other words (「延期要不要告诉我」 after the extension answer): the
        # sentences it is about; the same words again: what else applies, or a person. The words
        # are the message's own (a follow-up's plan passes the topic's question as ``text``).
        typed = tracker.latest_message.get("text") or ""
        said = typed if history.is_typed(typed) else text
        about = [] if same_question(tracker, said) else context.sentences_about(
            kb().render(faq_id, agency_id).text, normalize_text(said))
        if not about:
            return repeat_instead(dispatcher, faq_id, agency_id, text)
        lines = tuple(about)
    answer = kb().render(faq_id, agency_id)
    body = answer.full_text
    # asked again in other words (「那怎么交申请」 right after how to submit there): the part asked
    # about, and since the answer did not settle it, how to reach a person at that agency
    reach = kb().message("contact", agency_id) if again else ""
    further = context.also_asked(text, faq_id, context.followups()) if not lines else []
    if further:  # 「上哪去说 几点有人」: the office hours, and the address line
        added, sources = [], list(answer.sources)
        for other_id, other_lines in further:
            other = kb().render(other_id, agency_id)
            found = context.sentences_with(other.text, other_lines)
            added += [line for line in found if line not in added]
            sources += [source for source in other.sources if found and source not in sources]
        body = replace(answer, text="\n".join([answer.text, *added]), sources=tuple(sources)).full_text
    if lines:
        found = context.sentences_with(answer.text, lines)
        name = kb().agency(agency_id)["name"]
        if found and faq_id in AGENCY_OWN and not any(name in line for line in found):
            found.insert(0, f"{name}：")  # a line of the agency's own card names the agency
        if found:
            body = replace(answer, text="\n".join([*found, *([reach] if reach else [])])).full_text
    # the FAQ, agency and sources land in the BotUttered event's metadata: the desk shows them
    messages = [{"text": body, history.FAQ_ID: faq_id, history.AGENCY: agency_id,
                 history.SOURCES: list(answer.sources), history.EXCERPT: bool(lines),
                 **topic_fields(topic or faq_id, text)}]
    # a whole answer to the citizen's question; not an excerpt answering a follow-up, whose
    # ``text`` is the topic's earlier question (「复议找谁」 after a computed date: not that date again)
    example = worked_example(faq_id, text, agency_id) if not lines else None
    events: List[Dict[Text, Any]] = [SlotSet("agency", agency_id)]
    if example:
        messages.append({"text": kb().message("worked_example_intro", agency_id) + "\n" + example})
        if faq_id in DEADLINE_FAQS | REMEDY_FAQS:
            # a date computed: the conversation goes on about it (「那最晚啥时候答复我」「要是延期呢」)
            facts = due_date_answer(text, agency_id)[1]
            messages[-1].update(topic_fields(timeline_topic(facts), text))
            events.append(SlotSet(FACTS_SLOT, to_slot(facts)))
    if not lines and feedback.should_ask(tracker.events, kb().faqs[faq_id].topic):
        # on the last message, so WeChat shows 「1. 有帮助 2. 没帮助」 under the whole answer
        messages[-1].update(feedback.prompt_fields(faq_id, agency_id, messages[-1]["text"]))
    for message in messages:
        dispatcher.utter_message(**message)
    return events


def repeat_instead(dispatcher: CollectingDispatcher, faq_id: str, agency_id: str,
                   text: str) -> List[Dict[Text, Any]]:
    """Instead of the identical answer again: say so, offer what else applies and a person."""
    related = [f for f in context.followups().related(faq_id) if f in kb().faqs]
    dispatcher.utter_message(
        text=kb().message("repeat_answer", agency_id, title=kb().faqs[faq_id].title),
        buttons=suggestion_buttons(related, agency_id),
        **{history.REPEAT_OF: faq_id, history.AGENCY: agency_id}, **topic_fields(faq_id, text))
    return [SlotSet("agency", agency_id)]


async def ask(dispatcher: CollectingDispatcher, tracker: Tracker, options: List[str],
              agency_id: str, best: Optional[Dict[str, Any]]) -> None:
    """「您是不是想问」 with the options, queued for the desk's review."""
    metrics.FALLBACKS.labels("did_you_mean").inc()
    # marked in the bot event's metadata: counted by the desk's analytics
    dispatcher.utter_message(text=kb().message("did_you_mean", agency_id),
                             buttons=suggestion_buttons(options, agency_id), **{history.UNSURE: True})
    text = tracker.latest_message.get("text")
    if history.is_typed(text):  # for the desk's review queue
        best = best or {}
        await feedback.record("add_review_item", "unsure", tracker.sender_id,
                              feedback.channel_of(tracker), agency_id, text,
                              best.get("faq_id"), best.get("confidence"), clock.now())


async def answer_in_context(dispatcher: CollectingDispatcher, tracker: Tracker,
                            leave: Sequence[str] = ()) -> Optional[List[Dict[Text, Any]]]:
    """A follow-up of the conversation's topic answered in it (actions/context.py); None when the
    message is not one, or when its plan is of a kind in ``leave`` (the calling action answers
    those itself). Every action an NLU intent leads to asks this first: a follow-up is told by
    the conversation, whatever intent its few words were read as."""
    text = tracker.latest_message.get("text") or ""
    if not text.strip() or text.startswith("/"):
        return None
    again = context.said_again(text, tracker.events, agency_for(tracker))
    if again is not None:  # 「他们电话再说一遍」: the lines given before, as they were given
        lines, source = again
        dispatcher.utter_message(text="\n".join([kb().message("said_again", agency_for(tracker)), *lines,
                                                  *([source] if source else [])]))
        return []
    named, words = agency_named(tracker)
    topic = context.topic_of(tracker.events)
    day = context.workday_asked(text, topic, clock.today())
    if day is not None:
        # 「10月10号那个礼拜六也算工作日？」: that day as the deadlines count it; the conversation
        # stays on what it was about (the citizen's own dates)
        agency_id = agency_for(tracker)
        metadata: Dict[str, Any] = {history.AGENCY: agency_id}
        if topic is None:
            metadata.update(topic_fields(context.WORKDAY_TOPIC, text))  # 「那10月11号呢」 next
        elif topic.name != "case_status":  # a look-up's topic is read from the look-up itself
            metadata.update(topic_fields(topic.name, topic.question))
        dispatcher.utter_message(text=workday_answer(day, agency_id), **metadata)
        return []
    ranking = faq_ranking(tracker)
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    sure = ranking[0]["faq_id"] if intent == RETRIEVAL_INTENT and not is_unsure(ranking) else None
    plan = context.plan_follow_up(text, topic, named, words, clock.today(), sure_faq=sure)
    if plan is None and named and context.only_names(normalize_text(text), words):
        # 「我说的是张店」 right after 「您是不是想问」: the question asked then, for that agency
        offered = offered_faqs(tracker)
        if offered:
            return await answer_faq(dispatcher, tracker, offered[0], named,
                                    previous_question(tracker) or text)
    if plan is None and sure is None:
        # 「审批局地址再给我说一遍」 though it was never said, 「电话给我留一个」: the card's lines
        fields = context.card_request(text, context.followups())
        if fields:
            return await answer_faq(dispatcher, tracker, "contact_info", named or agency_for(tracker),
                                    text, fields)
    if plan is None or plan.kind in leave:
        return None
    agency_id = plan.agency or case_agency(topic) or agency_for(tracker)
    if plan.kind == "faq":
        return await answer_faq(dispatcher, tracker, plan.target, agency_id, plan.question or text,
                                plan.lines, plan.topic)
    if plan.kind == "message":
        # a follow-up of a rule, not of a case (case follow-ups are answer_about_case's): what
        # applies if it comes to that (「假如他们一直不回」 is not an overdue case)
        reply = kb().message(plan.target, agency_id, hypothetical=True)
        if f"{plan.target}_source" in kb().messages:  # as under every answer
            reply += "\n" + kb().message(f"{plan.target}_source", agency_id)
        dispatcher.utter_message(text=reply, **answer_fields(agency_id, plan.topic, plan.question))
        return [SlotSet("agency", agency_id)]
    if plan.kind == "due_date":
        # on the history told so far: this also runs as info_subject's slot mapping (action_info_request)
        # before the turn's own action, and its deadline_facts must not drop what was told before
        answer, facts = due_date_answer(plan.target, agency_id, from_slot(tracker.get_slot(FACTS_SLOT)),
                                        name_agency=plan.agency is not None)
        topic_name = timeline_topic(facts) if plan.topic == "due_date" else plan.topic
        dispatcher.utter_message(text=answer, **answer_fields(agency_id, topic_name, plan.question))
        return [SlotSet(FACTS_SLOT, to_slot(facts))]
    if plan.kind == "case_remedy_due":
        # the day the case shows as answered stands for the day the reply reached the citizen
        answer, facts = due_date_answer(plan.target, agency_id)
        answered_on = context.case_answered_on(topic.detail if topic else "")
        note = kb().message("case_remedy_from_answer_day", agency_id,
                            day=f"{answered_on.year}年{answered_on.month}月{answered_on.day}日") if answered_on else ""
        dispatcher.utter_message(text="\n".join(filter(None, [note, answer])),
                                 **answer_fields(agency_id, timeline_topic(facts), plan.question))
        return [SlotSet(FACTS_SLOT, to_slot(facts))]
    if plan.kind == "due_date_extension":
        answer, _ = due_date_answer(plan.target, agency_id, from_slot(tracker.get_slot(FACTS_SLOT)),
                                    extension=True)
        dispatcher.utter_message(text=answer, **answer_fields(agency_id, plan.topic, plan.question))
        return []
    if plan.kind == "fee":
        dispatcher.utter_message(text=fee_answer(plan.target, agency_id),
                                 **answer_fields(agency_id, plan.topic, plan.question))
        return []
    if plan.kind == "report":
        dispatcher.utter_message(text=reports.answer(kb(), plan.target, agency_id, clock.today()),
                                 **answer_fields(agency_id, plan.topic, plan.question))
        return [SlotSet("agency", agency_id)]
    return answer_about_case(dispatcher, plan, topic)


def answer_report(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """The annual-report figures the message asks for; the conversation's topic is then the
    report, whichever action answered."""
    text = normalize_text(tracker.latest_message.get("text") or "")
    # 张店那边 / 区里 / 市里那个局: the directory's short names, even where the NER missed them
    agency_id = kb().find_agency(text) or agency_for(tracker)
    typed = history.latest_typed(tracker.events) or text
    dispatcher.utter_message(text=reports.answer(kb(), text, agency_id, clock.today()),
                             **answer_fields(agency_id, "annual_report", typed))
    return [SlotSet("agency", agency_id)]


def case_agency(topic: Optional[context.Topic]) -> Optional[str]:
    """After a look-up, the agency handling the case (named in the status shown): 他们."""
    if topic is None or topic.name != "case_status":
        return None
    return kb().find_agency(context.case_agency_name(topic.detail) or "")


def answer_about_case(dispatcher: CollectingDispatcher, plan: context.Plan,
                      topic: Optional[context.Topic]) -> Optional[List[Dict[Text, Any]]]:
    """「什么时候到期」「能催一下吗」「超期了怎么办」 from the case the citizen just looked up
    (the lines they were shown, so nothing new about the case is disclosed)."""
    detail = topic.detail if topic else ""
    agency_id = case_agency(topic) or settings.answers.default_agency
    lines = context.case_lines(detail, plan.target)
    if not lines:  # the look-up found nothing: nothing to answer from
        return None
    if plan.target == "contact":
        lines.append(kb().message("case_urge", agency_id) + kb().message("contact", agency_id))
    elif plan.target == "remedies" and not any("已超过" in line or "如对答复不服" in line
                                               for line in lines):
        # not overdue (yet): what applies if it comes to that
        lines.append(kb().message("case_not_yet_overdue", agency_id) + "\n"
                     + kb().message("overdue_remedies", agency_id, hypothetical=True))
    # the status's 依据 line last, under what was added
    lines = [line for line in lines if not line.startswith("依据：")] + [
        line for line in lines if line.startswith("依据：")]
    dispatcher.utter_message(text="\n".join(lines),
                             **answer_fields(agency_id, "case_status", topic.question if topic else ""))
    return [SlotSet("agency", agency_id)]


class ActionAnswerFaq(Action):
    def name(self) -> Text:
        return "action_answer_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        text = tracker.latest_message.get("text") or ""
        chosen: Optional[str] = latest_entity(tracker, "faq_id")
        # a 「您是不是想问」 option: the question is the one asked before
        if chosen is not None and chosen in kb().faqs:
            return await answer_faq(dispatcher, tracker, chosen, agency_for(tracker),
                                    previous_question(tracker) or text)
        followed = await answer_in_context(dispatcher, tracker)
        if followed is not None:
            return followed
        if reports.asks_figure(kb(), normalize_text(text), clock.today()):
            return answer_report(dispatcher, tracker)  # 「二一年被人申请过复议没」: a figure
        agency_id = agency_for(tracker)
        ranking = faq_ranking(tracker)
        # no topic yet: nothing for the question to lean on, so it stands on its own words
        topic = context.topic_of(tracker.events)
        related = context.followups().related(topic.name) if topic else []
        kind, value = decide(ranking, text, first_question=topic is None, related=related)
        if kind == "ask" and handoff.asks_for_person(text):  # 「说不清楚，找个人」: not a question
            return await handoff.start_handoff(dispatcher, tracker, "request")
        if asks_due_date(text) and (kind == "ask" or value not in DEADLINE_FAQS | REMEDY_FAQS):
            # a day of their own and a question when (or whether late): compute, do not ask; an
            # answer about deadlines or remedies carries the computation itself (worked_example)
            return compute_due_date(dispatcher, tracker)
        if kind == "ask":
            await ask(dispatcher, tracker, value, agency_id, ranking[0] if ranking else None)
            return [SlotSet("agency", agency_id)]
        return await answer_faq(dispatcher, tracker, value, agency_id, text)


def offered_faqs(tracker: Tracker) -> List[str]:
    """The FAQs the assistant's previous reply offered as options (「您是不是想问」), in order."""
    found = []
    for button in context.last_options(tracker.events):
        intent, entities = context.parse_payload(button.get("payload") or "")
        if intent == "choose_faq" and entities.get("faq_id") in kb().faqs:
            found.append(entities["faq_id"])
    return found


def previous_question(tracker: Tracker) -> Optional[str]:
    """The citizen's latest typed message before this one (what an option answers)."""
    return history.previous_typed(tracker.events)
