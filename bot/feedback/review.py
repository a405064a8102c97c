"""The review queue: questions the assistant handled badly, grouped by similarity, searched,
filtered and paged, and the three things a staff member can do with a group — add its questions to
an existing FAQ as paraphrases, mark it out of scope, or draft a new FAQ entry with its source.

Write-back goes to the YAML knowledge base (data/kb/faq/<topic>.yml) with ruamel.yaml's round-trip
mode, so comments, key order and the ``{ref: …, article: …}`` flow style survive; the desk's answer
editing (bot.desk.workbench) writes through the same functions. Every change is made on a copy of
the knowledge base first and checked with ``bot.content.knowledge.validate`` and the truth check
(``bot.content.facts``); the real file is replaced (atomically) only when the copy is sound.
Paraphrases and new FAQs take effect after retraining (docs/workbench.md); answer texts, titles and
sources are live as soon as the file is written.
"""
from __future__ import annotations

import io
import math
import os
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from bot.content import facts, knowledge
from bot.feedback.store import ReviewRecord
from bot.nlp.normalize import normalize_text

SIMILAR = 70  # similarity (0–100, see similarity()) at least this → same group
REASON_LABELS = {"fallback": "未听懂", "unsure": "拿不准（您是不是想问）", "unhelpful": "没帮助",
                 "handoff": "转人工", "out_of_scope": "超出范围"}
_FAQ_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class ReviewError(ValueError):
    """A write-back the knowledge base would not accept; ``problems`` lists why (in Chinese or
    the validator's words)."""

    def __init__(self, problems: Sequence[str]):
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def comparable(text: str) -> str:
    """The grouping key: simplified, half-width, no punctuation or spaces, lower case."""
    return knowledge.fold(normalize_text(text))


# ---- grouping --------------------------------------------------------------------------------

def similarity(a: str, b: str) -> float:
    """Of two comparable forms: rapidfuzz's ratio, or the same on the sorted characters when
    that is higher — Chinese word order varies (「能不能用微信提交申请」「申请能用微信提交吗」)."""
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(" ".join(a), " ".join(b)))


@dataclass
class Group:
    key: str  # the comparable form of the first question: stable for the page
    items: List[ReviewRecord] = field(default_factory=list)

    @property
    def ids(self) -> List[int]:
        return [item.id for item in self.items]

    @property
    def questions(self) -> List[str]:
        """The distinct questions, most asked first."""
        counts = Counter(item.question for item in self.items)
        return [text for text, _ in counts.most_common()]

    @property
    def label(self) -> str:
        return self.questions[0]

    @property
    def reasons(self) -> Dict[str, int]:
        return dict(Counter(item.reason for item in self.items).most_common())

    @property
    def channels(self) -> Dict[str, int]:
        return dict(Counter(item.channel for item in self.items).most_common())

    @property
    def suggested_faq(self) -> Optional[str]:
        """The FAQ the retrieval most often leaned to for these questions, if any."""
        counts = Counter(item.faq_id for item in self.items if item.faq_id)
        return counts.most_common(1)[0][0] if counts else None

    @property
    def first_seen(self):
        return min(item.created_at for item in self.items)

    @property
    def last_seen(self):
        return max(item.created_at for item in self.items)


def group_items(items: Sequence[ReviewRecord], threshold: int = SIMILAR) -> List[Group]:
    """Groups of similar questions, biggest first (then most recent). Greedy: each question joins
    the first group whose first question it resembles at least ``threshold``."""
    groups: List[Group] = []
    for item in sorted(items, key=lambda i: (i.created_at, i.id)):
        key = comparable(item.question)
        for group in groups:
            if key == group.key or similarity(key, group.key) >= threshold:
                group.items.append(item)
                break
        else:
            groups.append(Group(key, [item]))
    return sorted(groups, key=lambda g: (-len(g.items), -g.last_seen.timestamp()))


# ---- finding a group ---------------------------------------------------------------------------

PER_PAGE = 10  # groups on one page of the queue


@dataclass(frozen=True)
class Query:
    """What the staff member asked the queue for: words to find, the kinds of problem wanted
    (REASON_LABELS keys; empty means all) and the page (from 1)."""
    text: str = ""
    reasons: tuple = ()
    page: int = 1


@dataclass(frozen=True)
class QueuePage:
    groups: List[Group]  # this page's groups
    total_groups: int
    total_items: int
    page: int
    pages: int


def find(items: Sequence[ReviewRecord], query: Query, per_page: int = PER_PAGE) -> QueuePage:
    """The groups of ``items`` that match ``query``, one page of them. The kind filter applies to
    the items before grouping (a group shows only the kinds asked for); the search keeps groups
    with a question containing the words (compared like the grouping: 「微信」 finds 「微 信」)."""
    wanted = set(query.reasons)
    kept = [item for item in items if not wanted or item.reason in wanted]
    groups = group_items(kept)
    needle = comparable(query.text or "")
    if needle:
        groups = [g for g in groups if any(needle in comparable(q) for q in g.questions)]
    pages = max(1, math.ceil(len(groups) / per_page))
    page = min(max(1, query.page), pages)
    shown = groups[(page - 1) * per_page: page * per_page]
    return QueuePage(shown, len(groups), sum(len(g.items) for g in groups), page, pages)


# ---- write-back ------------------------------------------------------------------------------

def _yaml() -> YAML:
    yaml = YAML()  # round-trip: keeps comments, order and flow style
    yaml.indent(mapping=2, sequence=4, offset=2)  # the knowledge base's own layout
    # ruamel.yaml declares these two attributes as None-typed, though it reads them as set here
    yaml.width = 4096  # type: ignore[assignment]  # never re-wrap a long answer line
    yaml.preserve_quotes = True  # type: ignore[assignment]
    return yaml


def load_yaml(path: Path):
    return _yaml().load(path.read_text(encoding="utf-8"))


def dump(document) -> str:
    stream = io.StringIO()
    _yaml().dump(document, stream)
    return stream.getvalue()


def faq_files(kb_dir: Path) -> List[Path]:
    return sorted((kb_dir / "faq").glob("*.yml"))


def find_faq(kb_dir: Path, faq_id: str):
    for path in faq_files(kb_dir):
        document = load_yaml(path)
        for entry in document.get("faqs") or []:
            if str(entry.get("id")) == faq_id:
                return path, document, entry
    raise ReviewError([f"知识库中没有编号为 {faq_id} 的问题。"])


def truth_problems(kb: knowledge.KnowledgeBase) -> List[str]:
    """The truth check (bot.content.facts) over every answer as each agency's citizens read it."""
    problems = []
    for faq in kb.faqs.values():
        for agency_id in kb.agencies:
            for fact in facts.unbacked(kb, kb.render(faq.id, agency_id).text):
                problems.append(f"「{faq.title}」：{fact.reason}")
    return list(dict.fromkeys(problems))


def write_checked(kb_dir: Path, path: Path, text: str) -> None:
    """Writes ``text`` to ``path`` (a file under ``kb_dir``) only if the knowledge base with it
    passes the validator and the truth check; atomically, so a reader never sees half a file."""
    write_checked_files(kb_dir, {path: text})


def write_checked_files(kb_dir: Path, texts: Dict[Path, str]) -> None:
    """write_checked for a change to several files (an annual report and its source): all are
    checked together, then each is replaced atomically."""
    with tempfile.TemporaryDirectory(prefix="kb-review-") as scratch:
        copy = Path(scratch) / "kb"
        shutil.copytree(kb_dir, copy)
        for path, text in texts.items():
            (copy / path.relative_to(kb_dir)).write_text(text, encoding="utf-8")
        try:
            kb = knowledge.load(copy)
            problems = knowledge.validate(kb) or truth_problems(kb)
        except knowledge.KnowledgeError as error:
            problems = [str(error)]
        if problems:
            raise ReviewError([p.replace(str(copy), "data/kb") for p in problems])
    for path, text in texts.items():
        temporary = path.with_name(f".{path.name}.review-tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    knowledge.cached.cache_clear()


def _clean(questions: Sequence[str]) -> List[str]:
    seen, result = set(), []
    for question in questions:
        text = " ".join(str(question).split())
        key = knowledge.fold(text)
        if text and key not in seen:
            seen.add(key)
            result.append(text)
    return result


def add_paraphrases(kb_dir: Path, faq_id: str, questions: Sequence[str]) -> List[str]:
    """Appends ``questions`` to the FAQ's examples; returns those added. Questions the FAQ already
    has are skipped; one that belongs to another FAQ is refused (the validator would too)."""
    path, document, entry = find_faq(kb_dir, faq_id)
    kb = knowledge.load(kb_dir)
    owner = dict(zip(kb.questions.keys, kb.questions.owners))  # a title or an example
    added, problems = [], []
    for question in _clean(questions):
        other = owner.get(knowledge.question_key(question))
        if other == faq_id:
            continue
        if other:
            problems.append(f"「{question}」已是「{kb.faqs[other].title}」（{other}）的问法。")
            continue
        added.append(question)
    if problems:
        raise ReviewError(problems)
    if not added:
        return []
    examples = entry.get("examples")
    if examples is None:
        examples = entry["examples"] = CommentedSeq()
    last = len(examples) - 1
    examples.extend(added)
    # a blank line or comment after the old last question belongs after the new last one
    if last in examples.ca.items:
        examples.ca.items[len(examples) - 1] = examples.ca.items.pop(last)
    write_checked(kb_dir, path, dump(document))
    return added


@dataclass(frozen=True)
class NewFaq:
    id: str  # empty: made from the title (new_faq_id)
    title: str
    answer: str  # plain text; AGENCY_MARK stands for the name of the agency asked about
    source_ref: str
    source_article: str
    topic: str
    examples: Sequence[str]


MAX_ID = 40
TEMPLATE_MARKS = ("{{", "{%", "{#")
AGENCY_MARK = "【本机构】"  # in a drafted answer: the agency's name, as each agency's citizens read it


def new_faq_id(title: str, taken: Sequence[str]) -> str:
    """A snake_case id from the title's pinyin (「能用微信申请吗？」 → neng_yong_wei_xin_shen_qing_ma),
    shortened to MAX_ID characters at a syllable and numbered when already taken."""
    syllables = [re.sub(r"[^a-z0-9]", "", s.lower()) for s in lazy_pinyin(title or "")]
    base = ""
    for syllable in filter(None, syllables):
        if len(base) + len(syllable) + 1 > MAX_ID:
            break
        base = f"{base}_{syllable}" if base else syllable
    if not base or not base[0].isalpha():
        base = f"faq_{base}".rstrip("_")
    made, n = base, 2
    while made in taken:
        made, n = f"{base}_{n}", n + 1
    return made


def add_faq(kb_dir: Path, draft: NewFaq) -> str:
    """Appends a new FAQ entry to faq/<topic>.yml; returns its id. The validator decides: a
    missing source, fewer than 15 questions or a question owned by another FAQ is refused."""
    problems = []
    if draft.id and not _FAQ_ID.match(draft.id):
        problems.append("编号只能用小写英文字母、数字和下划线，并以字母开头（例如 apply_by_wechat）。")
    if any(mark in draft.answer for mark in TEMPLATE_MARKS):
        problems.append("答复里不能有 {{、{% 或 {# 这样的模板符号：请直接写给群众看的文字。")
    path = kb_dir / "faq" / f"{draft.topic}.yml"
    if path not in faq_files(kb_dir):
        problems.append(f"没有 {draft.topic} 这个主题文件。")
    if problems:
        raise ReviewError(problems)
    document = load_yaml(path)
    source = CommentedMap([("ref", draft.source_ref.strip())])
    if draft.source_article.strip():
        source["article"] = draft.source_article.strip()
    source.fa.set_flow_style()  # like every other source line: {ref: 条例, article: 第三十三条}
    faq_id = draft.id or new_faq_id(draft.title, list(knowledge.load(kb_dir).faqs))
    entry = CommentedMap()
    entry["id"] = faq_id
    entry["title"] = draft.title.strip()
    answer = draft.answer.strip().replace(AGENCY_MARK, "{{ agency.name }}")
    entry["answer"] = LiteralScalarString(answer + "\n")
    entry["sources"] = CommentedSeq([source])
    entry["examples"] = CommentedSeq(_clean(draft.examples))
    document.setdefault("faqs", CommentedSeq()).append(entry)
    write_checked(kb_dir, path, dump(document))
    return faq_id
