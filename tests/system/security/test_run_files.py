"""What `gongkai run` leaves on disk is the owner's only (issue 12, Low "data at rest": var/*.db
were world-readable). Checked on the real `gongkai run` (tests/support/gongkai_run.py): every file
and folder under its var/ — the SQLite tracker store and its companions, the logs, the Rasa API
token, the endpoints file — and the case database give nothing to group or others."""
from __future__ import annotations

import stat

import pytest

pytestmark = pytest.mark.servers


def test_everything_the_run_writes_is_owner_only(run):
    assert (run.var / "tracker.db").exists() and (run.var / "log" / "rasa.log").exists()
    # run.out is the test harness's capture of the run's terminal, not written by the run
    paths = [run.var, *(p for p in run.var.rglob("*") if p.name != "run.out"),
             run.var.parent / "gongkai.db"]
    wide = {str(path.relative_to(run.var.parent)): oct(stat.S_IMODE(path.stat().st_mode))
            for path in paths if stat.S_IMODE(path.stat().st_mode) & 0o077}
    assert wide == {}  # by hand: 0600 files and 0700 folders have no group/other bits
