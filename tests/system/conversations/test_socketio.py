"""The website widget's channel: socket.io, over both websocket and long-polling transports."""
import asyncio
import uuid

import pytest
import socketio

pytestmark = pytest.mark.servers


async def ask_over_socketio(url: str, transports: list[str], message: str) -> list[dict]:
    client = socketio.AsyncClient()
    replies: list[dict] = []
    got_reply = asyncio.Event()

    @client.on("bot_uttered")
    async def on_bot_uttered(data):
        replies.append(data)
        got_reply.set()

    await client.connect(url, transports=transports, socketio_path="/socket.io")
    try:
        session = str(uuid.uuid4())
        await client.emit("session_request", {"session_id": session})
        await client.emit("user_uttered", {"message": message, "session_id": session})
        await asyncio.wait_for(got_reply.wait(), timeout=30)
        await asyncio.sleep(0.5)  # let any further messages of the same turn arrive
    finally:
        await client.disconnect()
    return replies


@pytest.mark.parametrize("transports", [["websocket"], ["polling"]], ids=["websocket", "polling"])
async def test_widget_channel_answers(assistant, transports):
    replies = await ask_over_socketio(assistant.rasa_url, transports, "申请信息公开多久答复？")
    assert any("20个工作日" in (r.get("text") or "") for r in replies), replies
