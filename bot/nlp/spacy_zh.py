"""The project's spaCy pipeline for Chinese: jieba segmentation with a domain dictionary, and an
entity ruler for agency names and case numbers.

No Chinese spaCy model with vectors can be installed here, so the pipeline starts from
`spacy.blank("zh")`. It is built from the project's own files by `build_pipeline` (run by
`gongkai build-data`) into models/spacy_zh, which the training packs into the model
(bot/nlp/bundled.py): a trained model does not read models/spacy_zh.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List

import jieba
import spacy
from spacy.language import Language
from spacy.pipeline import EntityRuler
from spacy.tokens import Doc
from spacy.util import get_words_and_spaces
from spacy.vocab import Vocab

DOMAIN_WORDS = Path(__file__).resolve().parents[2] / "data" / "nlp" / "domain_words.txt"
# A case number as citizens type it after normalisation: ZBSP-2026-0001, zbsp 2026 0001, or with no separators
CASE_NUMBER = r"[A-Za-z]{2,5}[-_ ]?\d{4}[-_ ]?\d{4}"
_CASE_NUMBER_RE = re.compile(rf"(?<![A-Za-z0-9]){CASE_NUMBER}(?![A-Za-z0-9])")
_WORDS_FILE = "domain_words.txt"


class JiebaTokenizer:
    """Segments with a private jieba instance, so the domain words never leak into other users of
    jieba in the process. Case numbers are kept whole (jieba would split them at dashes)."""

    def __init__(self, vocab: Vocab, words: Iterable[str] = ()) -> None:
        self.vocab = vocab
        self.words: list[str] = []
        self._jieba = jieba.Tokenizer()
        self.add_words(words)

    def add_words(self, words: Iterable[str]) -> None:
        for word in words:
            word = word.strip()
            if word and not word.startswith("#") and word not in self.words:
                self.words.append(word)
                self._jieba.add_word(word, freq=100_000)

    def _segments(self, text: str) -> Iterator[str]:
        position = 0
        for match in _CASE_NUMBER_RE.finditer(text):
            yield from self._jieba.cut(text[position:match.start()])
            yield match.group(0)
            position = match.end()
        yield from self._jieba.cut(text[position:])

    def __call__(self, text: str) -> Doc:
        words = [w for w in self._segments(text) if w and not w.isspace()]
        words, spaces = get_words_and_spaces(words, text)
        return Doc(self.vocab, words=words, spaces=spaces)

    # spaCy saves and loads the tokenizer with the pipeline: the dictionary travels with it.
    def to_disk(self, path: Path, **_: object) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / _WORDS_FILE).write_text("\n".join(self.words) + "\n", encoding="utf-8")

    def from_disk(self, path: Path, **_: object) -> JiebaTokenizer:
        file = Path(path) / _WORDS_FILE
        if file.exists():
            self.add_words(file.read_text(encoding="utf-8").splitlines())
        return self

    def to_bytes(self, **_: object) -> bytes:
        return "\n".join(self.words).encode("utf-8")

    def from_bytes(self, data: bytes, **_: object) -> JiebaTokenizer:
        self.add_words(data.decode("utf-8").splitlines())
        return self


def create_jieba_tokenizer():
    """Registered as spaCy tokenizer `gongkai.jieba_tokenizer.v1` (entry point in pyproject)."""

    def make(nlp: Language) -> JiebaTokenizer:
        return JiebaTokenizer(nlp.vocab)

    return make


def read_words(path: Path = DOMAIN_WORDS) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def build_pipeline(agency_names: dict[str, list[str]], words: Iterable[str] = ()) -> Language:
    """A blank Chinese pipeline with the domain dictionary and an entity ruler.

    agency_names maps an agency id to its name and aliases; each becomes an `agency` pattern
    (the entity value is the text as typed; Rasa's synonym mapper turns it into the id).
    """
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": "gongkai.jieba_tokenizer.v1"}}})
    names = [name for aliases in agency_names.values() for name in aliases]
    assert isinstance(nlp.tokenizer, JiebaTokenizer)  # the registered tokenizer named above
    nlp.tokenizer.add_words([*words, *names])
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    assert isinstance(ruler, EntityRuler)
    patterns: List[Dict[str, Any]] = [{"label": "agency", "pattern": name, "id": agency_id}
                                      for agency_id, aliases in agency_names.items() for name in aliases]
    patterns.append({"label": "case_number", "pattern": [{"TEXT": {"REGEX": f"^{CASE_NUMBER}$"}}]})
    ruler.add_patterns(patterns)
    return nlp
