"""Issue 14's quality gate: every held-out set through the real reply (REST channel, real Rasa and
action servers), three outcomes per turn, each figure held to its floor (tests/heldout/floors.yml).
`gongkai evaluate` prints the same figures and lists every turn not answered right."""
import pytest

from bot.tooling import evaluation
from tests.support.assistant import DEMO_TODAY

pytestmark = pytest.mark.servers


@pytest.fixture(scope="module")
def report(assistant):
    # the sets' dates (due dates of the demo cases) were worked out for this day
    assert evaluation.conversations_today() == DEMO_TODAY
    return evaluation.evaluate_replies(assistant.rasa_url)


def test_no_figure_falls_below_its_floor(report):
    below = evaluation.below_floors(report.figures(), evaluation.load_floors())
    assert below == [], report.markdown() + "\n" + report.failures_markdown()


def test_every_set_was_scored_in_full(report):
    assert report.conversations.items.total >= 150
    assert report.conversations.turns.total >= 300
    # 91 written-style questions; those within 85 % of a training example are left out of the
    # figures (14 after the 2026-12-06 knowledge work added written-style paraphrases), so at
    # least 75 must remain scored — a larger loss means the set and the training data have met
    assert report.written.items.total >= 75
    assert report.single.items.total >= 300
