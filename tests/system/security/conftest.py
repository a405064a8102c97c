import pytest

from tests.support import gongkai_run


@pytest.fixture(scope="session")
def run(request, tmp_path_factory):
    """The real `gongkai run` (tests/support/gongkai_run.py), shared by the modules that need it."""
    return gongkai_run.shared(request, tmp_path_factory)
