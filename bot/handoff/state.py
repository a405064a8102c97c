"""The life of one hand-off, as a pure state machine (no database, no Rasa).

    waiting ──take──► taken ──hand_back──► returned   (the bot answers again)
       │  ╲             │  ╲
       │   ╲            │   close ──────► closed      (ended with a note; the bot answers again)
       │    reply ─────►┘   reply (same agent: stays taken)
       └── hand_back / close (an agent may end a waiting hand-off too)

A taken hand-off belongs to its agent: another agent cannot reply to it, take it, hand it back or
close it (two agents typing to one citizen would contradict each other). ``returned`` and ``closed``
are final; the citizen's next request opens a new hand-off.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Optional

from bot.core.errors import RefusedError


class Status(str, Enum):
    WAITING = "waiting"
    TAKEN = "taken"
    RETURNED = "returned"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self in (Status.WAITING, Status.TAKEN)


STATUS_LABELS = {
    Status.WAITING: "等待接入",
    Status.TAKEN: "人工服务中",
    Status.RETURNED: "已转回助手",
    Status.CLOSED: "已结束",
}

MAX_NOTE = 500


class TransitionError(RefusedError):
    """The action does not apply to the hand-off as it is now; ``message_zh`` says why."""


@dataclass(frozen=True)
class HandoffState:
    status: Status
    agent: Optional[str] = None  # username of the agent holding it (taken), or who ended it
    note: Optional[str] = None


WAITING = HandoffState(Status.WAITING)


def _require_open(state: HandoffState) -> None:
    if not state.status.is_open:
        raise TransitionError(f"这次人工服务{state.status.label}，不能再操作。")


def _require_holder(state: HandoffState, agent: str) -> None:
    if state.status is Status.TAKEN and state.agent != agent:
        raise TransitionError(f"这次人工服务已由 {state.agent} 接手。")


def take(state: HandoffState, agent: str) -> HandoffState:
    """The agent takes the conversation over; taking one's own again changes nothing."""
    _require_open(state)
    _require_holder(state, agent)
    return HandoffState(Status.TAKEN, agent)


def reply(state: HandoffState, agent: str) -> HandoffState:
    """An agent writes to the citizen: a waiting hand-off becomes theirs."""
    return take(state, agent)


def hand_back(state: HandoffState, agent: str, note: Optional[str] = None) -> HandoffState:
    """The bot answers again."""
    _require_open(state)
    _require_holder(state, agent)
    return HandoffState(Status.RETURNED, agent, _clean(note))


def close(state: HandoffState, agent: str, note: Optional[str]) -> HandoffState:
    """The hand-off ends with a note on what was done (required); the bot answers again."""
    _require_open(state)
    _require_holder(state, agent)
    text = _clean(note)
    if not text:
        raise TransitionError("结束人工服务时请填写处理情况备注。")
    return HandoffState(Status.CLOSED, agent, text)


def _clean(note: Optional[str]) -> Optional[str]:
    text = (note or "").strip()
    return text[:MAX_NOTE] or None
