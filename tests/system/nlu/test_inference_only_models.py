"""bot.serving.rasa_launch.inference_only_models loads DIET and the ResponseSelector without
training them one step (as Rasa 3.6's loader does) and must predict exactly what Rasa's own
loader predicts: same intent and FAQ rankings, same confidences, on held-out questions.

The expected values come from Rasa's unpatched loader in the same process, not from our code.
Both loads run in one child process (TensorFlow and two models stay out of the test runner)."""
import textwrap

import pytest

from bot.tooling import training
from tests.support import script_result

pytestmark = pytest.mark.servers

COMPARE = textwrap.dedent("""
    import asyncio, sys
    from rasa.core.agent import Agent
    from bot.serving import rasa_launch
    from bot.tooling import evaluation

    model, count = sys.argv[1], int(sys.argv[2])
    questions = [q["text"] for q in evaluation.load_questions()][::3][:count]

    def rankings(agent):
        async def parse_all():
            found = []
            for text in questions:
                parsed = await agent.parse_message(text)
                retrieval = parsed.get("response_selector", {}).get("faq", {}).get("ranking", [])
                found.append({"intents": [[i["name"], i["confidence"]] for i in parsed["intent_ranking"]],
                              "faqs": [[r["intent_response_key"], r["confidence"]] for r in retrieval]})
            return found
        return asyncio.run(parse_all())

    rasa_own = rankings(Agent.load(model))
    rasa_launch.inference_only_models()
    ours = rankings(Agent.load(model))
    report({"rasa": rasa_own, "ours": ours, "questions": questions})
""")


@pytest.fixture(scope="module")
def both_loaders():
    return script_result(COMPARE, str(training.ensure_model(quiet=True)), "80")


def test_same_rankings_and_confidences_as_rasas_loader(both_loaders):
    assert len(both_loaders["questions"]) == 80
    for text, theirs, ours in zip(both_loaders["questions"], both_loaders["rasa"], both_loaders["ours"]):
        assert [name for name, _ in ours["intents"]] == [name for name, _ in theirs["intents"]], text
        assert [key for key, _ in ours["faqs"]] == [key for key, _ in theirs["faqs"]], text
        for (_, mine), (_, rasa) in zip(ours["intents"] + ours["faqs"], theirs["intents"] + theirs["faqs"]):
            assert mine == pytest.approx(rasa, abs=1e-6), text


def test_the_faq_retrieval_really_ran(both_loaders):
    # a comparison of empty rankings would pass whatever the loader did
    assert all(len(ours["faqs"]) >= 5 and len(ours["intents"]) >= 5 for ours in both_loaders["ours"])
