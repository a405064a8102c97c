"""bot.serving.rasa_launch's NLU patches (issue 17: less CPU per message) must parse exactly as
Rasa does: the same intent ranking, FAQ ranking and entities, the same confidences (within 1e-6),
on a sample of held-out and development questions — and the fast paths must really have run.

The expected values come from Rasa's own parse in the same child process, before the patches are
applied (with the project's inference-only loader, as the server runs; that loader has its own
test, test_inference_only_models.py)."""
import textwrap

import pytest

from bot.tooling import training
from tests.support import script_result

pytestmark = pytest.mark.servers

COMPARE = textwrap.dedent("""
    import asyncio, sys
    import yaml
    from bot.serving import rasa_launch
    rasa_launch.lean_process()
    rasa_launch.inference_only_models()
    from rasa.core.agent import Agent
    from bot.tooling import evaluation

    model, count = sys.argv[1], int(sys.argv[2])
    questions = [q["text"] for q in evaluation.load_questions()][1::3][:count]
    questions += [q["text"] for q in yaml.safe_load(open("bench/dev/questions.yml"))["questions"]][::4][:count // 2]

    def parses(agent):
        async def parse_all():
            found = []
            for text in questions:
                parsed = await agent.parse_message(text)
                selector = parsed.get("response_selector", {})
                found.append({
                    "intent": [parsed["intent"].get("name"), parsed["intent"].get("confidence")],
                    "intents": [[i["name"], i["confidence"]] for i in parsed["intent_ranking"]],
                    "selectors": sorted(key for key in selector if key != "all_retrieval_intents"),
                    "faqs": [[r["intent_response_key"], r["confidence"]]
                             for r in selector.get("faq", {}).get("ranking", [])],
                    "faq": [selector.get("faq", {}).get("response", {}).get("intent_response_key"),
                            selector.get("faq", {}).get("response", {}).get("confidence")],
                    "entities": parsed["entities"]})
            return found
        return asyncio.run(parse_all())

    rasa_own = parses(Agent.load(model))
    rasa_launch.fast_nlu()
    agent = Agent.load(model)
    ours = parses(agent)
    runner = agent.processor.graph_runner
    models = [node._component.model for node in runner._instantiated_nodes.values()
              if type(node._component).__name__ in ("DIETClassifier", "ResponseSelector")]
    from rasa.shared.nlu.training_data.message import Message
    used = {
        "plain_plans": sum(plan is not None for _, plan in runner.__dict__.get("_plain_plans", {}).values()),
        "direct_models": sum(m.__dict__.get("_direct_predict", (None, None))[1] is not None for m in models),
        "stacking": bool(getattr(Message._combine_features, "stacked", False)),
    }
    report({"rasa": rasa_own, "ours": ours, "questions": len(questions), "used": used})
""")


@pytest.fixture(scope="module")
def both_parses():
    return script_result(COMPARE, str(training.ensure_model(quiet=True)), "80")


def _numbers_and_rest(value):
    """(the numbers in `value`, `value` with each number replaced by 0)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return [], value
    if isinstance(value, (int, float)):
        return [value], 0
    if isinstance(value, dict):
        numbers, rest = [], {}
        for key, item in value.items():
            found, rest[key] = _numbers_and_rest(item)
            numbers += found
        return numbers, rest
    numbers, rest = [], []
    for item in value:
        found, shape = _numbers_and_rest(item)
        numbers += found
        rest.append(shape)
    return numbers, rest


def test_same_parse_as_rasa(both_parses):
    assert both_parses["questions"] == 120
    for i, (theirs, ours) in enumerate(zip(both_parses["rasa"], both_parses["ours"], strict=True)):
        their_numbers, their_rest = _numbers_and_rest(theirs)
        our_numbers, our_rest = _numbers_and_rest(ours)
        assert our_rest == their_rest, i  # names, keys, entity values and their order
        assert our_numbers == pytest.approx(their_numbers, abs=1e-6), i


def test_the_fast_paths_ran(both_parses):
    # equal parses prove nothing if every patch fell back to Rasa's own code
    assert both_parses["used"] == {"plain_plans": 1, "direct_models": 2, "stacking": True}
    assert all(len(p["faqs"]) >= 5 and len(p["intents"]) >= 5 for p in both_parses["ours"])
