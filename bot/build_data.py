"""Derives Rasa's inputs from the knowledge base, so the KB stays the single source:

- data/nlu/faq.generated.yml     the `faq/<id>` retrieval-intent examples and agency synonyms
- domain/faq.generated.yml       one `utter_faq/<id>` response per FAQ (its title: the label the
                                 ResponseSelector learns, and the text of "您是不是想问" buttons)
- models/spacy_zh/               the spaCy pipeline (domain dictionary + entity ruler)

Run by `gongkai build-data` before training, validating and testing. Writes only what changed.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml

from bot import knowledge
from bot.settings import PROJECT_ROOT

NLU_FILE = PROJECT_ROOT / "data" / "nlu" / "faq.generated.yml"
DOMAIN_FILE = PROJECT_ROOT / "domain" / "faq.generated.yml"
SPACY_DIR = PROJECT_ROOT / "models" / "spacy_zh"
HEADER = "# Generated from data/kb by `gongkai build-data`. Do not edit: edit data/kb instead.\n"


class _Literal(str):
    """A YAML block scalar (`|`), the form Rasa's examples lists take."""


yaml.SafeDumper.add_representer(
    _Literal, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|"))


def _dump(document: dict) -> str:
    return HEADER + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=1000)


def _examples(lines: list[str]) -> _Literal:
    return _Literal("".join(f"- {line}\n" for line in lines))


def agency_names(kb: knowledge.KnowledgeBase) -> dict[str, list[str]]:
    return {agency_id: [record["name"], *record.get("aliases", [])]
            for agency_id, record in kb.agencies.items()}


def nlu_document(kb: knowledge.KnowledgeBase) -> dict:
    nlu = [{"intent": f"faq/{faq.id}", "examples": _examples(list(faq.examples))}
           for faq in kb.faqs.values()]
    nlu += [{"synonym": agency_id, "examples": _examples(names)}
            for agency_id, names in agency_names(kb).items()]
    return {"version": "3.1", "nlu": nlu}


def domain_document(kb: knowledge.KnowledgeBase) -> dict:
    return {
        "version": "3.1",
        "responses": {f"utter_faq/{faq.id}": [{"text": faq.title}] for faq in kb.faqs.values()},
    }


def _write_if_changed(path: Path, text: str) -> bool:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def _build_spacy(kb: knowledge.KnowledgeBase, directory: Path) -> bool:
    from bot.nlp import spacy_zh  # spaCy is slow to import; only when building

    names = agency_names(kb)
    # other bodies (张店区人民法院) stay whole words, so their 张店 is not read as an agency
    words = spacy_zh.read_words() + list(kb.other_bodies)
    source = (Path(spacy_zh.__file__).read_text(encoding="utf-8")
              + json.dumps([names, words], ensure_ascii=False))
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    stamp = directory / "gongkai-source.sha256"
    if stamp.exists() and stamp.read_text() == digest:
        return False
    spacy_zh.build_pipeline(names, words).to_disk(directory)
    stamp.write_text(digest)
    return True


def build(kb_dir: Path = knowledge.KB_DIR, spacy_dir: Path = SPACY_DIR) -> list[str]:
    """Regenerates what is out of date; returns the paths written. Refuses an invalid KB."""
    kb = knowledge.load(kb_dir)
    problems = knowledge.validate(kb)
    if problems:
        raise knowledge.KnowledgeError("the knowledge base has problems:\n  " + "\n  ".join(problems))
    written = []
    if _write_if_changed(NLU_FILE, _dump(nlu_document(kb))):
        written.append(str(NLU_FILE))
    if _write_if_changed(DOMAIN_FILE, _dump(domain_document(kb))):
        written.append(str(DOMAIN_FILE))
    if _build_spacy(kb, spacy_dir):
        written.append(str(spacy_dir))
    return written
