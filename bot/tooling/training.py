"""Training: the model is keyed on everything that shapes it, so `make run` and the tests retrain
only when the training data, the config or the NLU code changed.

The knowledge base shapes the model only through the files `gongkai build-data` generates from
it (FAQ examples, agency names and aliases: bot/tooling/build_data.py), so data/kb itself is not a model
input: a changed answer text, title, phone number, source, message or report figure needs no
retraining — the servers reload it (bot/content/knowledge.py `cached`)."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from bot.core.settings import PROJECT_ROOT
from bot.tooling import build_data

MODELS_DIR = PROJECT_ROOT / "models"
TRAINING_DATA = ["data/nlu", "data/rules", "data/stories"]
# Everything a trained model depends on (paths relative to the project root), the files
# generated from data/kb among them (data/nlu/faq.generated.yml, domain/faq.generated.yml), and
# the stamp of the spaCy pipeline built from the agency names and other bodies in data/kb.
MODEL_INPUTS = ["config.yml", "domain", *TRAINING_DATA, "data/nlp", "bot/nlp",
                "models/spacy_zh/gongkai-source.sha256"]


def rasa_env() -> dict[str, str]:
    """Environment for Rasa processes: quiet, no telemetry, and the action server's shared secret
    (bot.serving.action_server; endpoints.yml sends `Bearer ${GONGKAI_ACTION_TOKEN}`)."""
    from bot.serving.action_server import TOKEN_ENV, action_token

    env = dict(os.environ)
    env.setdefault(TOKEN_ENV, action_token(env))
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("PYTHONWARNINGS", "ignore")
    return env


def rasa_executable() -> str:
    return str(Path(sys.executable).with_name("rasa"))


def fingerprint(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for name in MODEL_INPUTS:
        base = root / name
        files = sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else [base]
        for path in files:
            if path.exists() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path(root: Path = PROJECT_ROOT) -> Path:
    return root / "models" / f"gongkai-{fingerprint(root)}.tar.gz"


def ensure_model(force: bool = False, quiet: bool = False) -> Path:
    """The trained model for the current inputs, training it first when missing."""
    build_data.build()  # generated files are model inputs: build before fingerprinting
    target = model_path()
    if target.exists() and not force:
        return target
    MODELS_DIR.mkdir(exist_ok=True)
    command = [rasa_executable(), "train", "--data", *[d for d in TRAINING_DATA
                                                       if (PROJECT_ROOT / d).exists()],
               "--domain", "domain", "--config", "config.yml", "--out", str(MODELS_DIR),
               "--fixed-model-name", target.name[: -len(".tar.gz")]]
    subprocess.run(command, cwd=PROJECT_ROOT, env=rasa_env(), check=True,
                   stdout=subprocess.DEVNULL if quiet else None)
    for old in MODELS_DIR.glob("gongkai-*.tar.gz"):
        if old != target:
            old.unlink()
    return target
