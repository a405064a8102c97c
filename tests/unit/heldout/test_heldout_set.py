"""The held-out set obeys its own rules (labels from the catalogue, minimum counts, no duplicates)."""
import importlib.util
from pathlib import Path

HELDOUT = Path(__file__).resolve().parents[2] / "heldout"
_spec = importlib.util.spec_from_file_location("heldout_stats", HELDOUT / "stats.py")
stats = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(stats)


def test_the_committed_set_has_no_problems():
    assert stats.problems(stats.load()) == []


def test_duplicates_are_caught_across_punctuation_and_spaces():
    found = stats.problems([{"text": "收费吗？", "label": "faq/fee_principle"},
                            {"text": "收费 吗", "label": "faq/fee_principle"}])
    assert any(p.startswith("duplicate") for p in found)


def test_unknown_label_and_agency_are_caught():
    found = stats.problems([{"text": "你好", "label": "faq/hello", "agency": "jinan_spj"}])
    assert any("unknown label 'faq/hello'" in p for p in found)
    assert any("unknown agency 'jinan_spj'" in p for p in found)


def test_minimum_counts_are_enforced():
    found = stats.problems([{"text": "你好", "label": "greet"}])
    assert "greet: 1 questions, need 10" in found
    assert "out_of_scope: 0 questions, need 35" in found
    assert "faq/review: 0 questions, need 10" in found
