"""Every NLU training example of the project (hand-written data/nlu files and the knowledge base),
as plain text: what the held-out set must stay apart from."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator, Tuple

import yaml

from bot.content import knowledge
from bot.core.settings import PROJECT_ROOT

_ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def training_examples(root: Path = PROJECT_ROOT) -> Iterator[Tuple[str, str]]:
    """(label, text) for every example: faq/<id> from the KB, the intent from data/nlu."""
    for faq in knowledge.load(root / "data" / "kb").faqs.values():
        for example in faq.examples:
            yield f"faq/{faq.id}", example
    for path in sorted((root / "data" / "nlu").glob("*.yml")):
        if path.name.endswith(".generated.yml"):
            continue
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in item:
                for line in (item.get("examples") or "").splitlines():
                    text = line.strip()[2:].strip() if line.strip().startswith("- ") else ""
                    if text:
                        yield item["intent"], _ANNOTATION.sub(r"\1", text)
