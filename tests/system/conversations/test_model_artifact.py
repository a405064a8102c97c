"""A trained model is a self-contained artifact (issue 13, item 6): the model file copied into an
empty directory is all `rasa run` needs — the spaCy pipeline travels inside it
(bot/nlp/bundled.py) instead of being read from models/spacy_zh under the working directory."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bot.tooling import servers, training
from tests.support import post_json

pytestmark = pytest.mark.servers


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_a_model_copied_into_an_empty_directory_loads_and_parses_chinese(tmp_path):
    model = training.ensure_model(quiet=True)
    instance = tmp_path / "instance"
    instance.mkdir()
    shutil.copy2(model, instance / model.name)  # `cp models/*.tar.gz` to another instance
    assert not (instance / "models").exists()
    port = servers.free_port()
    log_path = tmp_path / "rasa.log"
    log = open(log_path, "ab")
    popen = subprocess.Popen(
        [training.rasa_executable(), "run", "--model", model.name, "--enable-api",
         "--port", str(port), "--interface", "127.0.0.1"],
        cwd=instance, env=training.rasa_env(), stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    rasa = servers.Process("Rasa server", popen, f"http://127.0.0.1:{port}/status", log_path, log)
    try:
        rasa.wait_ready()
        status, parse = post_json(f"http://127.0.0.1:{port}/model/parse",
                                  {"text": "ZBSP-2026-0101是市审批局受理的吗"})
        assert status == 200, parse
        # by the entity ruler built from data/kb/agencies.yml (市审批局 is an alias of zibo_spj,
        # the synonym mapper turns it into the id) and the case-number pattern, as typed
        found = {(e["entity"], e["value"]) for e in parse["entities"]}
        assert found == {("case_number", "ZBSP-2026-0101"), ("agency", "zibo_spj")}
        assert parse["intent"]["name"]  # the classifiers ran on the packed pipeline's tokens
        print(f"Rasa server RSS after one parse: {rss_mb(popen.pid):.0f} MB")
    finally:
        rasa.stop()
