"""The staff's knowledge workbench (docs/workbench.md): edit an FAQ's title, answer and sources
with a preview for every agency, 「试一试」 hit testing, and the record of who changed what.

Writing goes through the review queue's write-back (bot.feedback.review: ruamel round-trip, the
validator and the truth check on a copy, atomic replace), so the files keep their comments and
layout and a change the knowledge base cannot back is refused with the reason. Answer texts,
titles and sources are live in the running assistant within seconds (the action server reloads
data/kb: bot.content.knowledge.ServedKnowledgeBase); paraphrases and new FAQs need training.
Synchronous: call it in a thread from async code.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, List, Mapping, Optional, Sequence, Tuple

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString
from sqlalchemy import select

from bot.content import knowledge
from bot.core.db import SessionFactory, make_engine, make_session_factory, session_scope
from bot.desk.models import KnowledgeChange
from bot.feedback import review
from bot.handoff import suggest

EDIT, PARAPHRASE, NEW_FAQ, REPORT = "edit", "paraphrase", "new_faq", "report"
CHANGE_KINDS = {EDIT: "修改答复", PARAPHRASE: "添加问法", NEW_FAQ: "新建问题", REPORT: "导入年度报告"}
# a question listed word for word is answered at once (bot.nlp.components.KnownQuestionClassifier)
NEEDS_TRAINING = ("原样提问这句话，几秒后就能得到这条答复；意思相近的其他说法要训练模型后才能识别："
                  "请到「训练」页点「开始训练」（只新增问法时通常几分钟内完成）；训练期间助手照常答复。")
LIVE = "已保存并通过校验，助手将在几秒内用新的答复回答群众，无需重新训练。"
TOPIC_LABELS = {"apply": "申请", "contacts": "联系方式", "deadlines": "期限", "fees": "收费",
                "outcomes": "答复结果", "remedies": "救济", "other": "其他"}  # data/kb/faq/<topic>.yml
MAX_TITLE = 60
MAX_ANSWER = 3000
MAX_SOURCES = 8


@dataclass(frozen=True)
class Source:
    ref: str  # a code of sources.yml, or agency.<field>
    article: str = ""


@dataclass(frozen=True)
class FaqEdit:
    """What the staff member can change of an FAQ: its title, answer (a template, rendered for
    each agency) and sources. The id and the questions (examples) stay as they are."""
    title: str
    answer: str
    sources: Tuple[Source, ...]


def edit_of(faq: knowledge.Faq) -> FaqEdit:
    return FaqEdit(faq.title, faq.answer,
                   tuple(Source(s.get("ref", ""), s.get("article", "")) for s in faq.sources))


def _form_problems(edit: FaqEdit) -> List[str]:
    problems = []
    if not edit.title.strip() or len(edit.title) > MAX_TITLE:
        problems.append(f"标题不能为空，最多{MAX_TITLE}个字。")
    if not edit.answer.strip() or len(edit.answer) > MAX_ANSWER:
        problems.append(f"答复不能为空，最多{MAX_ANSWER}个字。")
    if not edit.sources or len(edit.sources) > MAX_SOURCES:
        problems.append(f"至少选一条出处（最多{MAX_SOURCES}条）。")
    return problems


@dataclass(frozen=True)
class Preview:
    agency_id: str
    agency_name: str
    text: str  # the answer with its 来源 line, as the citizens of this agency read it
    problem: str = ""  # why it does not render for this agency (then text is empty)


def preview(kb: knowledge.KnowledgeBase, faq_id: str, edit: FaqEdit) -> List[Preview]:
    """The edited answer rendered for every agency with the assistant's own rendering
    (KnowledgeBase.render), without writing anything."""
    faq = dataclasses.replace(kb.faqs[faq_id], title=edit.title.strip(), answer=edit.answer,
                              sources=tuple({"ref": s.ref, **({"article": s.article} if s.article else {})}
                                            for s in edit.sources))
    trial = dataclasses.replace(kb, faqs={**kb.faqs, faq_id: faq})
    shown = []
    for agency_id, agency in kb.agencies.items():
        try:
            shown.append(Preview(agency_id, agency["name"], trial.render(faq_id, agency_id).full_text))
        except knowledge.KnowledgeError as error:
            shown.append(Preview(agency_id, agency["name"], "", f"这个机构显示不出来：{error}"))
    return shown


def save_edit(kb_dir: Path, faq_id: str, edit: FaqEdit) -> None:
    """Writes the new title, answer and sources into the FAQ's file (the rest of the entry and
    the file as they were); refused with ReviewError when the form, the validator or the truth
    check finds a problem."""
    problems = _form_problems(edit)
    if problems:
        raise review.ReviewError(problems)
    path, document, entry = review.find_faq(kb_dir, faq_id)
    entry["title"] = edit.title.strip()
    text = edit.answer.replace("\r\n", "\n").strip() + "\n"
    entry["answer"] = LiteralScalarString(text) if "\n" in text.strip() or isinstance(
        entry.get("answer"), LiteralScalarString) else text.strip()
    sources = CommentedSeq()
    for source in edit.sources:
        line = CommentedMap([("ref", source.ref.strip())])
        if source.article.strip():
            line["article"] = source.article.strip()
        line.fa.set_flow_style()  # {ref: 条例, article: 第三十三条}, like the rest of the file
        sources.append(line)
    entry["sources"] = sources
    review.write_checked(kb_dir, path, review.dump(document))


# ---- the record of changes ---------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    id: int
    at: dt.datetime
    staff: str
    kind: str
    faq_id: str
    path: str
    diff: str

    @property
    def kind_text(self) -> str:
        return CHANGE_KINDS.get(self.kind, self.kind)


class ChangeLog:
    """Who changed what in the knowledge base from the desk, and when (desk_kb_changes)."""

    def __init__(self, session_factory: SessionFactory):
        self._sessions = session_factory

    @classmethod
    def from_url(cls, url: Optional[str] = None) -> ChangeLog:
        return cls(make_session_factory(make_engine(url)))

    def tracked(self, kb_dir: Path, staff: str, kind: str, faq_id: Callable[[Any], str],
                change: Callable[[], Any], now: dt.datetime,
                files: Callable[[Path], List[Path]] = review.faq_files) -> Any:
        """Runs ``change`` (a write to the knowledge base) and records it with the diff of each
        file it changed (among ``files``: the FAQ files unless told); ``faq_id`` names the FAQ (or
        the report) from the change's result. Nothing is recorded when the change is refused (it
        raises) or changes nothing."""
        before = {p: p.read_text(encoding="utf-8") for p in files(kb_dir) if p.exists()}
        result = change()
        for path in files(kb_dir):
            old, new = before.get(path, ""), path.read_text(encoding="utf-8")
            if old != new:
                name = str(path.relative_to(kb_dir))
                diff = "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                                    f"a/{name}", f"b/{name}"))
                with session_scope(self._sessions) as session:
                    session.add(KnowledgeChange(at=now, staff=staff, kind=kind, faq_id=faq_id(result),
                                                path=name, diff=diff))
        return result

    def recent(self, limit: int = 50, faq_id: Optional[str] = None) -> List[Change]:
        with session_scope(self._sessions) as session:
            query = select(KnowledgeChange)
            if faq_id is not None:
                query = query.where(KnowledgeChange.faq_id == faq_id)
            rows = session.scalars(query.order_by(KnowledgeChange.at.desc(),
                                                  KnowledgeChange.id.desc()).limit(limit))
            return [Change(r.id, r.at, r.staff, r.kind, r.faq_id, r.path, r.diff) for r in rows]


# ---- 「试一试」 -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    faq_id: str
    title: str
    confidence: float


@dataclass(frozen=True)
class HitTest:
    question: str
    intent: str  # what Rasa heard: faq, greet, out_of_scope, nlu_fallback, …
    intent_confidence: float
    verdict: str  # answer / ask / other (see VERDICTS)
    faq_id: Optional[str]  # the FAQ answered, when verdict is answer
    candidates: List[Candidate]  # the retrieval's ranking, best first
    offered: List[str]  # the FAQs 「您是不是想问」 offers, when verdict is ask
    agency_id: str
    agency_name: str
    answer: str  # the answer the citizen gets (verdict answer), with its 来源 line


VERDICTS = {"answer": "直接答复", "ask": "给出「您是不是想问」让群众选", "other": "不按常见问题答复"}
CANDIDATES = 5


def hit_test(parse: Mapping[str, Any], kb: knowledge.KnowledgeBase, default_agency: str,
             decide: Callable[[List[Mapping[str, Any]], str], Tuple[str, Any]]) -> HitTest:
    """What the assistant does with a question, from Rasa's parse of it and ``decide``, the FAQ
    action's own choice between answering and asking (actions.faq.decide)."""
    text = str(parse.get("text") or "")
    intent = parse.get("intent") or {}
    ranked = suggest.ranking(parse, kb)
    agency_id = kb.find_agency(text) or default_agency
    verdict, faq_id, offered, answer = "other", None, [], ""
    if intent.get("name") == suggest.RETRIEVAL_INTENT:
        verdict, chosen = decide([{"faq_id": f, "confidence": c} for f, c in ranked], text)
        if verdict == "answer":
            faq_id, answer = chosen, kb.render(chosen, agency_id).full_text
        else:
            offered = list(chosen)
    return HitTest(text, str(intent.get("name") or ""), round(float(intent.get("confidence") or 0), 3),
                   verdict, faq_id, [Candidate(f, kb.faqs[f].title, round(c, 3)) for f, c in ranked[:CANDIDATES]],
                   offered, agency_id, kb.agencies[agency_id]["name"], answer)


def add_paraphrase(kb_dir: Path, faq_id: str, question: str) -> List[str]:
    """The question tried on 「试一试」 as a new paraphrase of ``faq_id`` (needs training)."""
    return review.add_paraphrases(kb_dir, faq_id, [question])


def topics(kb_dir: Path) -> dict:
    """topic → what staff see, for every FAQ file of the knowledge base."""
    return {path.stem: TOPIC_LABELS.get(path.stem, path.stem) for path in review.faq_files(kb_dir)}


def sources_choice(kb: knowledge.KnowledgeBase, agency_fields: Sequence[str] = ("guide", "report", "report_series")
                   ) -> List[Tuple[str, str]]:
    """(code, what staff see) for the sources picker: the catalogue, then the agency's own
    guide and reports (agency.<field>: each agency's own document)."""
    names = {"guide": "本机构的服务指南", "report": "本机构的年度报告", "report_series": "本机构历年年度报告"}
    return ([(ref, entry.get("short") or entry["title"]) for ref, entry in kb.sources.items()]
            + [(f"agency.{name}", names[name]) for name in agency_fields])
