"""Getting the desk's messages to the citizen on the channel they used.

Every message is first recorded in the conversation as a bot event (so the transcript, the REST
poll endpoint and a later hand-back all see it); then it is pushed, in one of two ways, chosen by
the tracker's ``latest_input_channel``:

* Rasa pushes it itself, through the output channel of that name (``socketio``: the widget's
  session room, ``session_persistence`` being on). With several Rasa instances their socket.io
  servers share a Redis queue (bot/channels/guarded.py), so any instance can push.
* An outside sender does (``send(sender_id, text)``): the WeChat customer-service API, for instance.
  ``bot/channels/wechat.py`` plugs in with ``register(Channel("wechat", send=its_sender))``.

A channel that can do neither (``rest``: synchronous, nothing to push to) keeps the message in the
tracker, where the client collects it from ``GET /api/conversations/<sender>/messages``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Optional

from bot.core import history
from bot.handoff.rasa_client import RasaClient

Sender = Callable[[str, str], Awaitable[None]]


@dataclass(frozen=True)
class Channel:
    name: str
    via_rasa: bool = False  # Rasa's own output channel of this name can push
    send: Optional[Sender] = None  # an outside sender: send(sender_id, text)

    @property
    def pushes(self) -> bool:
        return self.via_rasa or self.send is not None


class Channels:
    """The registry, keyed by Rasa's input-channel name."""

    def __init__(self, *channels: Channel):
        self._channels: Dict[str, Channel] = {}
        for channel in channels:
            self.register(channel)

    def register(self, channel: Channel) -> None:
        self._channels[channel.name] = channel

    def get(self, name: Optional[str]) -> Channel:
        return self._channels.get(name or "", Channel(name or "unknown"))


def default_channels() -> Channels:
    return Channels(Channel("socketio", via_rasa=True), Channel("rest"))


async def deliver(rasa: RasaClient, channels: Channels, sender_id: str, channel_name: Optional[str],
                  events: List[Dict[str, Any]]) -> bool:
    """Append ``events`` to the conversation and push its bot messages to the citizen.
    True when they were pushed; False when they wait in the tracker for the client to collect."""
    channel = channels.get(channel_name)
    await rasa.append_events(sender_id, events, output_channel=channel.name if channel.via_rasa else None)
    if channel.send is not None:
        for event in events:
            if history.kind(event) == history.BOT and event.get("text"):
                await channel.send(sender_id, event["text"])
    return channel.pushes
