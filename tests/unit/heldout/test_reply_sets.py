"""The conversation set, the written-style set and the label facts obey their own rules (sizes,
2–6 turns, unique ids and texts, expectations that parse, agencies that resolve, every label of
questions.yml covered). No servers: the figures themselves are in tests/system/nlu/test_reply_figures.py."""
import importlib.util
from pathlib import Path

import pytest
import yaml

from bot.tooling import evaluation

HELDOUT = Path(__file__).resolve().parents[2] / "heldout"
_spec = importlib.util.spec_from_file_location("heldout_stats", HELDOUT / "stats.py")
stats = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(stats)


def load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def conversations():
    return load(evaluation.CONVERSATIONS)


@pytest.fixture(scope="module")
def written():
    return load(evaluation.WRITTEN)


def test_at_least_150_conversations_of_2_to_6_turns_with_unique_ids(conversations):
    items = conversations["conversations"]
    assert len(items) >= 150
    assert len({c["id"] for c in items}) == len(items)
    assert [c["id"] for c in items if not 2 <= len(c["turns"]) <= 6] == []


def test_every_conversation_scores_something_and_every_expectation_parses(conversations):
    names = conversations["agencies"]
    for conversation in conversations["conversations"]:
        expectations = [t["expect"] for t in conversation["turns"] if t.get("expect")]
        assert expectations, conversation["id"]
        for data in expectations:
            assert data.get("agency") is None or data["agency"] in names, conversation["id"]
            evaluation.Expect.parse(data, names)  # refuses unknown keys


def test_a_typed_option_number_follows_a_scored_turn(conversations):
    for conversation in conversations["conversations"]:
        turns = conversation["turns"]
        for number, turn in enumerate(turns):
            if turn["user"] == evaluation.RIGHT_OPTION:
                assert number > 0 and turns[number - 1].get("expect"), conversation["id"]


def test_at_least_80_written_questions_without_duplicates(written):
    texts = [q["text"] for q in written["questions"]]
    assert len(texts) >= 80
    assert len(set(texts)) == len(texts)
    for question in written["questions"]:
        assert question["expect"].get("agency") in (None, *written["agencies"])
        evaluation.Expect.parse(question["expect"], written["agencies"])


def test_label_facts_cover_every_label_of_the_single_questions():
    facts = load(evaluation.LABEL_FACTS)
    assert set(stats.LABELS) <= set(facts["labels"])
    expectation = evaluation.label_expectations()
    for question in stats.load():
        expectation(question)  # parses for every label and agency


def test_the_held_out_sets_do_not_share_texts(conversations, written):
    singles = {q["text"] for q in stats.load()}
    turns = {t["user"] for c in conversations["conversations"] for t in c["turns"]}
    assert not singles & {q["text"] for q in written["questions"]}
    assert not {q["text"] for q in written["questions"]} & turns
