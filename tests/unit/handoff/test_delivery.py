"""Which way an agent's message goes, by the citizen's channel (Rasa replaced by a recorder)."""
# imported here, not inside the test: importing Rasa's channels runs `git` once (webexteamssdk
# looks up its own version), which the unit tier refuses during a test
from bot.channels.wechat import CHANNEL
from bot.desk.app import channels
from bot.handoff.delivery import Channel, Channels, deliver

EVENTS = [{"event": "resume"}, {"event": "bot", "text": "您好", "metadata": {"source": "desk"}},
          {"event": "action", "name": "action_listen"}]


class RecordingRasa:
    def __init__(self):
        self.calls = []

    async def append_events(self, sender_id, events, output_channel=None):
        self.calls.append((sender_id, events, output_channel))
        return {}


async def test_rasa_pushes_on_its_own_output_channel():
    rasa = RecordingRasa()
    assert await deliver(rasa, channels(), "s1", "socketio", EVENTS) is True
    assert rasa.calls == [("s1", EVENTS, "socketio")]


async def test_rest_messages_wait_in_the_tracker():
    rasa = RecordingRasa()
    assert await deliver(rasa, channels(), "s1", "rest", EVENTS) is False
    assert rasa.calls == [("s1", EVENTS, None)]


async def test_an_unknown_channel_is_recorded_not_pushed():
    rasa = RecordingRasa()
    assert await deliver(rasa, channels(), "s1", None, EVENTS) is False
    assert rasa.calls[0][2] is None


async def test_an_outside_sender_gets_the_bot_texts():
    sent = []

    async def send(sender_id, text):
        sent.append((sender_id, text))

    rasa = RecordingRasa()
    registry = Channels(Channel("other", send=send))
    assert await deliver(rasa, registry, "s1", "other", EVENTS) is True
    assert rasa.calls == [("s1", EVENTS, None)] and sent == [("s1", "您好")]


def test_wechat_replies_go_through_rasas_wechat_output_channel():
    wechat = channels().get(CHANNEL)
    assert wechat.name == "wechat" and wechat.via_rasa
