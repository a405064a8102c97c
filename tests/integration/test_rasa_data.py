"""`rasa data validate` (via `gongkai validate`) passes on the project's data."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_rasa_data_validate_passes():
    gongkai = Path(sys.executable).with_name("gongkai")
    result = subprocess.run([str(gongkai), "validate"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
