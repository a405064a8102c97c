import pytest


@pytest.fixture
def web_agent(web):
    """Agent 李明, logged in to the module's own web app (the module's `web` fixture: caller mode
    needs no Rasa, so those modules start the web app alone, each with the settings it tests)."""
    from tests.support.webapp import Agent

    client = Agent(web)
    assert client.login("li").status_code == 303
    return client
