import pytest

from tests.desk.webapp import Agent
from tests.handoff import stack as stack_module


@pytest.fixture(scope="session")
def stack(request, tmp_path_factory):
    """Action server + Rasa server + web app on a temporary database, shared with tests/handoff and
    tests/desk (tests/handoff/stack.py); its review queue writes to a copy of data/kb."""
    return stack_module.shared(request, tmp_path_factory)


@pytest.fixture
def agent(stack):
    desk = Agent(stack.web_url)
    assert desk.login("li", stack_module.PASSWORD).status_code == 303
    return desk
