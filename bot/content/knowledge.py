"""The knowledge base: loading, rendering answers for an agency, and validating it.

The YAML files under data/kb/ (see data/kb/README.md) are the single source of every fact the
assistant states. An FAQ answer is a Jinja2 template rendered for one agency; rendering is strict,
so an answer that uses a field some agency lacks fails validation instead of printing a blank.

The servers answer from `cached()`: loaded on first use (importing a module reads nothing) and
reloaded, after the validator accepts it, when a file changes — answer texts, contacts, sources,
messages and report figures are content, not model inputs (docs/nlu.md, "What retrains").
"""
from __future__ import annotations

import functools
import logging
import os
import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

import jinja2
import yaml

from bot.core.settings import settings
from bot.nlp.normalize import normalize_text

logger = logging.getLogger(__name__)

KB_DIR = Path(__file__).resolve().parents[2] / "data" / "kb"
MIN_EXAMPLES = 15
_FAQ_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_jinja = jinja2.Environment(
    undefined=jinja2.StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True
)


@functools.lru_cache(maxsize=2048)
def _template(source: str) -> jinja2.Template:
    """A compiled answer or message template, by its text: compiling one took ~10 ms of the action
    server's CPU per turn (docs/benchmarks.md, "Profile of a turn"); an edited text is a new key."""
    return _jinja.from_string(source)


class KnowledgeError(ValueError):
    """The knowledge base cannot be loaded or an answer cannot be rendered."""


@dataclass(frozen=True)
class Faq:
    id: str
    title: str
    answer: str
    sources: tuple[Mapping[str, str], ...]
    examples: tuple[str, ...]
    topic: str


@dataclass(frozen=True)
class Answer:
    faq_id: str
    agency_id: str
    text: str  # the answer itself, without the sources line
    sources: tuple[str, ...]

    @property
    def full_text(self) -> str:
        return f"{self.text}\n来源：{'；'.join(self.sources)}" if self.sources else self.text


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one index per loaded copy
class QuestionIndex:
    """Every FAQ's questions (its title and examples) as comparison keys (`question_key`)."""
    keys: tuple[str, ...]
    owners: tuple[str, ...]  # the FAQ id of each key
    # key → FAQ id, for keys one FAQ alone lists: a question asked word for word
    verbatim: Mapping[str, str]


def question_key(text: str) -> str:
    """How questions are compared: normalised (`normalize_text`: simplified, half-width, typos)
    and folded (`fold`: no punctuation or spaces, lower case)."""
    return fold(normalize_text(text))


@dataclass(frozen=True)
class KnowledgeBase:
    sources: Mapping[str, Mapping[str, str]]
    agencies: Mapping[str, Mapping[str, Any]]
    faqs: Mapping[str, Faq]
    messages: Mapping[str, str] = field(default_factory=dict)
    reports: Mapping[str, Any] = field(default_factory=dict)
    # names that contain an agency's short name but mean another body (agencies.yml other_bodies)
    other_bodies: tuple[str, ...] = ()
    info_subjects: tuple[Mapping[str, Any], ...] = ()

    @functools.cached_property
    def questions(self) -> QuestionIndex:
        """The FAQ questions of this copy, built on first use (a reloaded copy builds its own, so a
        paraphrase added on the review page counts as soon as the copy is served)."""
        keys: list[str] = []
        owners: list[str] = []
        claimed: dict[str, set[str]] = {}
        for faq in self.faqs.values():
            for question in (faq.title, *faq.examples):
                key = question_key(question)
                if not key:
                    continue
                keys.append(key)
                owners.append(faq.id)
                claimed.setdefault(key, set()).add(faq.id)
        verbatim = {key: next(iter(ids)) for key, ids in claimed.items() if len(ids) == 1}
        return QuestionIndex(tuple(keys), tuple(owners), verbatim)

    def agency(self, agency_id: str) -> Mapping[str, Any]:
        try:
            return self.agencies[agency_id]
        except KeyError:
            raise KnowledgeError(f"unknown agency {agency_id!r}") from None

    def render(self, faq_id: str, agency_id: str) -> Answer:
        """The answer to one FAQ for one agency, with the sources it rests on."""
        faq = self.faqs.get(faq_id)
        if faq is None:
            raise KnowledgeError(f"unknown FAQ {faq_id!r}")
        agency = self.agency(agency_id)
        context = {"agency": agency, "agencies": self.agencies}
        try:
            text = _template(faq.answer).render(context)
        except jinja2.TemplateError as error:
            raise KnowledgeError(f"FAQ {faq_id} for {agency_id}: {error}") from error
        return Answer(faq_id, agency_id, _tidy(text), tuple(self._cite(s, agency) for s in faq.sources
                                                             if self._citable(s, agency)))

    def message(self, name: str, agency_id: str, **values: Any) -> str:
        """One of the assistant's own texts (messages.yml), rendered for an agency."""
        template = self.messages.get(name)
        if template is None:
            raise KnowledgeError(f"unknown message {name!r}")
        context = {"agency": self.agency(agency_id), "agencies": self.agencies, **values}
        try:
            return _tidy(_template(template).render(context))
        except jinja2.TemplateError as error:
            raise KnowledgeError(f"message {name} for {agency_id}: {error}") from error

    def cite(self, ref: str, article: str = "") -> str:
        """How an answer names a source: its short title plus the article, if any."""
        entry = self.sources.get(ref)
        if entry is None:
            raise KnowledgeError(f"unknown source {ref!r}")
        return f"{entry.get('short') or entry['title']}{article}"

    def _citable(self, source: Mapping[str, str], agency: Mapping[str, Any]) -> bool:
        ref = source["ref"]
        return not ref.startswith("agency.") or ref[len("agency."):] in agency

    def _cite(self, source: Mapping[str, str], agency: Mapping[str, Any]) -> str:
        ref = source["ref"]
        if ref.startswith("agency."):
            ref = agency[ref[len("agency."):]]
        return self.cite(ref, source.get("article", ""))

    def find_agency(self, text: str) -> str | None:
        """The agency a message names (by name or alias), longest match first; None if none."""
        folded = fold(text)
        for body in self.other_bodies:  # 张店区人民法院 is not 张店区人民政府办公室
            folded = folded.replace(fold(body), "|")
        for alias, agency_id in self._alias_index():
            if alias in folded:
                return agency_id
        return None

    def _alias_index(self) -> list[tuple[str, str]]:
        pairs = [(fold(name), agency_id) for agency_id, record in self.agencies.items()
                 for name in [record["name"], *record.get("aliases", [])]]
        return sorted(pairs, key=lambda pair: -len(pair[0]))


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def fold(text: str) -> str:
    """A comparison key: NFKC (full-width to half-width), no spaces or punctuation, lower case."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZSC")


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise KnowledgeError(f"{path}: invalid YAML: {error}") from error


def _read_optional(path: Path) -> Any:
    return _read_yaml(path) if path.exists() else {}


def _load_faqs(directory: Path) -> dict[str, Faq]:
    faqs: dict[str, Faq] = {}
    for path in sorted(directory.glob("*.yml")):
        for raw in _read_yaml(path).get("faqs", []):
            faq = Faq(
                id=str(raw.get("id", "")),
                title=str(raw.get("title", "")).strip(),
                answer=str(raw.get("answer", "")),
                sources=tuple(raw.get("sources") or ()),
                examples=tuple(str(e).strip() for e in raw.get("examples") or ()),
                topic=path.stem,
            )
            if faq.id in faqs:
                raise KnowledgeError(f"{path}: FAQ id {faq.id!r} already defined in "
                                     f"faq/{faqs[faq.id].topic}.yml")
            faqs[faq.id] = faq
    return faqs


def load(directory: Path = KB_DIR) -> KnowledgeBase:
    directory = Path(directory)
    directory_file = _read_yaml(directory / "agencies.yml")
    agencies = directory_file.get("agencies", {})
    for agency_id, record in agencies.items():
        record.setdefault("id", agency_id)
    return KnowledgeBase(
        sources=_read_yaml(directory / "sources.yml").get("sources", {}),
        agencies=agencies,
        faqs=_load_faqs(directory / "faq"),
        messages=_read_optional(directory / "messages.yml").get("messages", {}),
        reports=_read_optional(directory / "annual_reports.yml"),
        other_bodies=tuple(directory_file.get("other_bodies") or ()),
        info_subjects=tuple(_read_optional(directory / "info_subjects.yml").get("subjects") or ()),
    )


RELOAD_CHECK_SECONDS = 1.0  # how often a served knowledge base looks at its files' times


def served_dir() -> Path:
    """The directory the servers answer from: GONGKAI_KB_DIR (``settings.content.kb_dir``; tests
    point it at a copy), else data/kb."""
    return settings.content.kb_dir


def _files_state(directory: Path) -> tuple:
    """What changes when any file of the knowledge base is edited, added, removed or replaced."""
    state = []
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        for name in sorted(files):
            try:
                status = os.stat(os.path.join(root, name))
            except FileNotFoundError:  # removed while we looked: the next look sees it gone
                continue
            state.append((root, name, status.st_mtime_ns, status.st_size, status.st_ino))
    return tuple(state)


class ServedKnowledgeBase:
    """The knowledge base of one directory as a server sees it: loaded on first use and reloaded
    after its files change, so a wording change is live without retraining or a restart.

    At most every RELOAD_CHECK_SECONDS a use compares the files' times and sizes with those the
    served copy was loaded from (~0.15 ms). A changed knowledge base is loaded and validated
    (~0.7 s, on the request that noticed the change) and taken only if the validator finds
    nothing: a broken edit is logged with its problems and the last good copy keeps serving."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._kb: KnowledgeBase | None = None
        self._state: tuple = ()  # the files the served copy was loaded from
        self._refused: tuple | None = None  # the files of the last broken edit
        self._checked = 0.0
        self._lock = threading.Lock()

    def get(self) -> KnowledgeBase:
        kb = self._kb
        if kb is not None and time.monotonic() - self._checked < RELOAD_CHECK_SECONDS:
            return kb
        with self._lock:
            self._checked = time.monotonic()
            state = _files_state(self.directory)
            if self._kb is None:  # first use: no older copy to fall back on
                self._kb, self._state = load(self.directory), state
            elif state not in (self._state, self._refused):
                self._reload(state)
            return self._kb

    def _reload(self, state: tuple) -> None:
        try:
            kb = load(self.directory)
            problems = validate(kb)
        except KnowledgeError as error:
            problems = [str(error)]
        if problems:
            self._refused = state
            logger.error("knowledge base %s changed but was NOT reloaded; still serving the last "
                         "good version. Problems:\n  %s", self.directory, "\n  ".join(problems))
            return
        self._kb, self._state, self._refused = kb, state, None
        logger.info("knowledge base %s reloaded", self.directory)


class _Served:
    """`cached()`: the served knowledge base of a directory, one per directory and process."""

    def __init__(self) -> None:
        self._served: dict[Path, ServedKnowledgeBase] = {}
        self._lock = threading.Lock()

    def __call__(self, directory: str | Path | None = None) -> KnowledgeBase:
        path = Path(directory) if directory else served_dir()
        served = self._served.get(path)
        if served is None:
            with self._lock:
                served = self._served.setdefault(path, ServedKnowledgeBase(path))
        return served.get()

    def cache_clear(self) -> None:
        """Forgets every served copy: the next use loads afresh (without the validator)."""
        with self._lock:
            self._served.clear()


cached = _Served()


class _AgencyNames(Mapping[str, str]):
    """id → name of every agency of the served knowledge base, read on each use: a module can
    hold it as a constant without loading the knowledge base when it is imported."""

    def __getitem__(self, agency_id: str) -> str:
        return cached().agencies[agency_id]["name"]

    def __iter__(self) -> Iterator[str]:
        return iter(cached().agencies)

    def __len__(self) -> int:
        return len(cached().agencies)


AGENCY_NAMES: Mapping[str, str] = _AgencyNames()


def validate(kb: KnowledgeBase) -> list[str]:
    """Every problem that would make an answer wrong, missing or ambiguous; [] when sound."""
    problems: list[str] = []
    problems += _agency_problems(kb.agencies)
    names = {fold(n) for r in kb.agencies.values() for n in [r.get("name", ""), *r.get("aliases", [])]}
    problems += [f"agencies.yml other_bodies: {body!r} is also an agency name"
                 for body in kb.other_bodies if fold(body) in names]
    for name in kb.messages:
        for agency_id in kb.agencies:
            try:
                kb.message(name, agency_id)
            except KnowledgeError as error:
                problems.append(f"messages.yml {name}: does not render for {agency_id}: {error}")
    from bot.content import info_requests  # it imports this module

    problems += info_requests.problems(kb)
    from bot.content import reports  # it imports this module

    problems += reports.problems(kb)
    seen_examples: dict[str, str] = {}
    for faq in kb.faqs.values():
        where = f"faq/{faq.topic}.yml {faq.id}"
        if not _FAQ_ID.match(faq.id):
            problems.append(f"{where}: id must be snake_case")
        if not faq.title or not faq.answer.strip():
            problems.append(f"{where}: needs a title and an answer")
        if not faq.sources:
            problems.append(f"{where}: has no source")
        for source in faq.sources:
            ref = source.get("ref", "") if isinstance(source, Mapping) else ""
            if not ref.startswith("agency.") and ref not in kb.sources:
                problems.append(f"{where}: unknown source {ref!r}")
        if len(faq.examples) < MIN_EXAMPLES:
            problems.append(f"{where}: {len(faq.examples)} examples, needs at least {MIN_EXAMPLES}")
        own: set[str] = set()
        for example in faq.examples:
            key = fold(example)
            other = seen_examples.setdefault(key, faq.id)
            if other != faq.id:
                problems.append(f"{where}: example {example!r} also under {other}")
            elif key in own:
                problems.append(f"{where}: example {example!r} repeated")
            own.add(key)
        for agency_id in kb.agencies:
            try:
                answer = kb.render(faq.id, agency_id)
            except KnowledgeError as error:
                problems.append(f"{where}: does not render for {agency_id}: {error}")
                continue
            if not answer.sources:
                problems.append(f"{where}: no source applies to {agency_id}")
            if "{{" in answer.text or "{%" in answer.text:
                problems.append(f"{where}: unrendered template syntax for {agency_id}")
    return _dedupe(problems)


def _agency_problems(agencies: Mapping[str, Mapping[str, Any]]) -> list[str]:
    problems = []
    owner: dict[str, str] = {}
    for agency_id, record in agencies.items():
        if not record.get("name"):
            problems.append(f"agencies.yml {agency_id}: has no name")
            continue
        for name in [record["name"], *record.get("aliases", [])]:
            other = owner.setdefault(fold(name), agency_id)
            if other != agency_id:
                problems.append(f"agencies.yml: {name!r} names both {other} and {agency_id}")
    return problems


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
