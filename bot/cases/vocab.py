"""The closed vocabularies of a case record, with the Chinese label shown to people: the agencies
(from the knowledge base) and the application's own vocabularies, defined with the rules that use
them (bot/rules/vocab.py: channels, event kinds, answer types).

Codes are stored in the database and exchanged with the agency's case system; labels are what a
citizen or agent reads. Plain data: importable without SQLAlchemy.
"""
from __future__ import annotations

from typing import Mapping

from bot.content import knowledge
from bot.rules.vocab import ANSWER_TYPES, CHANNELS, EVENT_KINDS

__all__ = ["AGENCIES", "ANSWER_TYPES", "CHANNELS", "EVENT_KINDS"]

# The agencies whose cases the store keeps: those of the knowledge base (data/kb/agencies.yml),
# id → name. Checked when data comes in, not by a database constraint: adding an agency to the
# knowledge base needs no migration. A view read on use: importing this module reads no file.
AGENCIES: Mapping[str, str] = knowledge.AGENCY_NAMES
