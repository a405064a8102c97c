"""The hand-off state machine, pure."""
import pytest

from bot.handoff import state as machine
from bot.handoff.state import WAITING, HandoffState, Status, TransitionError

TAKEN_BY_LI = HandoffState(Status.TAKEN, "li")


def test_an_agent_takes_a_waiting_hand_off():
    assert machine.take(WAITING, "li") == TAKEN_BY_LI


def test_taking_ones_own_again_changes_nothing():
    assert machine.take(TAKEN_BY_LI, "li") == TAKEN_BY_LI


def test_another_agent_cannot_take_reply_hand_back_or_close():
    for act in (lambda s: machine.take(s, "wang"), lambda s: machine.reply(s, "wang"),
                lambda s: machine.hand_back(s, "wang"), lambda s: machine.close(s, "wang", "done")):
        with pytest.raises(TransitionError) as error:
            act(TAKEN_BY_LI)
        assert "li" in error.value.message_zh


def test_replying_to_a_waiting_hand_off_takes_it():
    assert machine.reply(WAITING, "wang") == HandoffState(Status.TAKEN, "wang")


def test_hand_back_returns_it_to_the_bot():
    assert machine.hand_back(TAKEN_BY_LI, "li") == HandoffState(Status.RETURNED, "li")
    assert machine.hand_back(WAITING, "wang", " 无需人工 ") == HandoffState(Status.RETURNED, "wang", "无需人工")


def test_close_needs_a_note():
    assert machine.close(TAKEN_BY_LI, "li", "已解答复议期限") == HandoffState(Status.CLOSED, "li", "已解答复议期限")
    with pytest.raises(TransitionError):
        machine.close(TAKEN_BY_LI, "li", "   ")


def test_notes_are_trimmed_to_the_limit():
    closed = machine.close(TAKEN_BY_LI, "li", "很" * 600)
    assert len(closed.note) == machine.MAX_NOTE == 500


@pytest.mark.parametrize("final", [HandoffState(Status.RETURNED, "li"), HandoffState(Status.CLOSED, "li", "x")])
def test_ended_hand_offs_accept_nothing(final):
    for act in (lambda s: machine.take(s, "li"), lambda s: machine.reply(s, "li"),
                lambda s: machine.hand_back(s, "li"), lambda s: machine.close(s, "li", "n")):
        with pytest.raises(TransitionError):
            act(final)


def test_status_labels_are_chinese():
    assert [s.label for s in Status] == ["等待接入", "人工服务中", "已转回助手", "已结束"]
    assert [s.is_open for s in Status] == [True, True, False, False]
