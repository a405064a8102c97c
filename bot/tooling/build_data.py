"""Derives Rasa's inputs from the knowledge base, so the KB stays the single source:

- data/nlu/faq.generated.yml     the `faq/<id>` retrieval-intent examples and agency synonyms
- domain/faq.generated.yml       one `utter_faq/<id>` response per FAQ, so the ResponseSelector
                                 knows the label `faq/<id>`; its text is that key, not the FAQ's
                                 wording: action_answer_faq renders the answer from data/kb, and
                                 a model input must not change when a title or answer does
- models/spacy_zh/               the spaCy pipeline (domain dictionary + entity ruler), which the
                                 training packs into the model (bot/nlp/bundled.py)

Only what trains the model comes from the knowledge base here — FAQ ids and examples, agency
names and aliases — so these files (and the model's fingerprint, bot/tooling/training.py) stay the same
when answer texts, titles, contacts, sources, messages or report figures change.

Run by `gongkai build-data` before training, validating and testing. Writes only what changed.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml

from bot.content import knowledge
from bot.core.settings import PROJECT_ROOT

# paths relative to the project root
KB_DIR = Path("data") / "kb"
NLU_FILE = Path("data") / "nlu" / "faq.generated.yml"
DOMAIN_FILE = Path("domain") / "faq.generated.yml"
SPACY_DIR = Path("models") / "spacy_zh"
DOMAIN_WORDS = Path("data") / "nlp" / "domain_words.txt"
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
        "responses": {f"utter_faq/{faq.id}": [{"text": f"faq/{faq.id}"}]
                      for faq in kb.faqs.values()},
    }


def _write_if_changed(path: Path, text: str) -> bool:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def _build_spacy(kb: knowledge.KnowledgeBase, directory: Path, words_file: Path) -> bool:
    from bot.nlp import spacy_zh  # spaCy is slow to import; only when building

    names = agency_names(kb)
    # other bodies (张店区人民法院) stay whole words, so their 张店 is not read as an agency
    words = spacy_zh.read_words(words_file) + list(kb.other_bodies)
    source = (Path(spacy_zh.__file__).read_text(encoding="utf-8")
              + json.dumps([names, words], ensure_ascii=False))
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    stamp = directory / "gongkai-source.sha256"
    if stamp.exists() and stamp.read_text() == digest:
        return False
    directory.mkdir(parents=True, exist_ok=True)
    spacy_zh.build_pipeline(names, words).to_disk(directory)
    stamp.write_text(digest)
    return True


def build(root: Path = PROJECT_ROOT) -> list[str]:
    """Regenerates what is out of date under the project root `root` (a copy, in tests); returns
    the paths written. Refuses an invalid KB."""
    kb = knowledge.load(root / KB_DIR)
    problems = knowledge.validate(kb)
    if problems:
        raise knowledge.KnowledgeError("the knowledge base has problems:\n  " + "\n  ".join(problems))
    written = []
    for path, document in ((root / NLU_FILE, nlu_document(kb)),
                           (root / DOMAIN_FILE, domain_document(kb))):
        if _write_if_changed(path, _dump(document)):
            written.append(str(path))
    if _build_spacy(kb, root / SPACY_DIR, root / DOMAIN_WORDS):
        written.append(str(root / SPACY_DIR))
    return written
