"""How a reply is scored against the facts a right answer must contain (bot/tooling/evaluation.py); no
servers. Replies and verdicts below are written by hand."""
from bot.tooling import evaluation
from bot.tooling.evaluation import ASKED, RIGHT, WRONG, Expect, TurnResult

AGENCIES = {"枣庄": "枣庄市行政审批服务局"}


def expect(**data):
    return Expect.parse(data, AGENCIES)


def test_every_fact_must_appear_and_a_list_is_satisfied_by_any_of_its_strings():
    e = expect(must=["20个工作日", ["第三十三条", "第33条"]])
    assert e.problems("自收到申请之日起20个工作日内答复。来源：《政府信息公开条例》第三十三条") == []
    assert e.problems("20个工作日内答复（第33条）") == []
    assert e.problems("15个工作日内答复。第三十三条") == ["缺少「20个工作日」"]


def test_full_width_digits_dashes_and_spaces_do_not_matter():
    e = expect(must=["0632-3168699", "20个工作日"])
    assert e.problems("电话：０６３２—３１６８６９９；２０ 个工作日") == []


def test_must_not_catches_a_wrong_fact():
    e = expect(must=["签收"], must_not=["按当面递交计算"])
    assert e.problems("挂号信以签收之日为准。您没有说明递交方式，以下按当面递交计算。") == [
        "不应出现「按当面递交计算」"]


def test_the_agency_short_name_stands_for_its_full_name():
    e = expect(must=["0632-3168699"], agency="枣庄")
    assert e.problems("枣庄市行政审批服务局：0632-3168699") == []
    assert e.problems("电话 0632-3168699") == ["没有点明机构「枣庄市行政审批服务局」"]


def test_out_of_scope_and_rephrase_replies_are_never_right_answers():
    e = expect(must=["0533-2306909"])
    out_of_scope = "抱歉，这个问题超出了我的服务范围。如需人工帮助，可致电0533-2306909。"
    assert e.problems(out_of_scope) == ["答成了「超出了我的服务范围」"]
    assert expect(kind="out_of_scope", must=["服务范围"]).problems(out_of_scope) == []


def test_a_handoff_needs_a_handoff_reply():
    e = expect(kind="handoff")
    assert e.problems("好的，正在为您转接淄博市行政审批服务局的人工客服，请稍候。") == []
    assert e.problems("现在不是人工服务时间。人工服务时间为工作日……") == []
    assert e.problems("请告诉我申请编号。") == ["没有转人工"]


def test_pattern_must_match():
    e = expect(pattern=[r"\d{4}年\d{1,2}月\d{1,2}日"])
    assert e.problems("依法应于2026年11月30日前答复") == []
    assert e.problems("20个工作日内答复") == [r"不符合 /\d{4}年\d{1,2}月\d{1,2}日/"]


def test_unknown_expectation_keys_are_refused():
    try:
        expect(mustnt=["x"])
    except ValueError as error:
        assert "mustnt" in str(error)
    else:
        raise AssertionError("an unknown key was accepted")


def test_a_conversation_is_right_only_when_every_scored_turn_is_right():
    def turns(*outcomes):
        return [TurnResult("c#1", "x", outcome, "") for outcome in outcomes]

    assert evaluation._conversation_outcome(turns(RIGHT, RIGHT)) == RIGHT
    assert evaluation._conversation_outcome(turns(RIGHT, ASKED)) == ASKED
    assert evaluation._conversation_outcome(turns(ASKED, WRONG, RIGHT)) == WRONG


def test_outcome_shares_and_the_right_option_share():
    counts = evaluation.Outcomes()
    turns = [(RIGHT, False)] * 7 + [(ASKED, True), (ASKED, False), (WRONG, False)]
    for outcome, offered in turns:
        counts.add(outcome, offered)
    assert (counts.total, counts.right, counts.asked, counts.wrong) == (10, 7, 2, 1)
    assert counts.share(RIGHT) == 0.7
    assert counts.right_option_share == 0.5
    assert evaluation.Outcomes(right=3).right_option_share == 1.0  # never asked


def test_floors_are_minimums_except_wrong_which_is_a_maximum():
    figures = {"single": {"right": 0.90, "wrong": 0.05, "right_option": 0.80}}
    assert evaluation.below_floors(figures, {"single": {"right": 0.90, "wrong": 0.05,
                                                         "right_option": 0.80}}) == []
    assert evaluation.below_floors(figures, {"single": {"right": 0.91, "wrong": 0.04,
                                                         "right_option": 0.81}}) == [
        "single.right = 90.0% (floor 91.0%)", "single.wrong = 5.0% (floor 4.0%)",
        "single.right_option = 80.0% (floor 81.0%)"]
