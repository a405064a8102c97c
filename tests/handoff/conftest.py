import pytest

from tests.handoff import stack as stack_module


@pytest.fixture(scope="session")
def stack(request, tmp_path_factory):
    """Action server + Rasa server + web app on a temporary database (tests/handoff/stack.py)."""
    return stack_module.shared(request, tmp_path_factory)
