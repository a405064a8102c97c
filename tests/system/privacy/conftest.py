import pytest

from tests.support import stack as stack_module


@pytest.fixture(scope="module")
def debug_stack(tmp_path_factory):
    """Its own action server + Rasa server + web app, everything logging at DEBUG (Rasa's engine
    logs then contain what citizens type), so that the log scan sees the most there is to see."""
    work = tmp_path_factory.mktemp("privacy-stack")
    stack = stack_module.start(work, {"LOG_LEVEL": "DEBUG", "LOG_LEVEL_LIBRARIES": "INFO"})
    try:
        yield stack
    finally:
        stack.stop()
