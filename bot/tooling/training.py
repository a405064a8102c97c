"""Training: the model is keyed on everything that shapes it, so `make run` and the tests retrain
only when the training data, the config or the NLU code changed.

The knowledge base shapes the model only through the files `gongkai build-data` generates from
it (FAQ examples, agency names and aliases: bot/tooling/build_data.py), so data/kb itself is not a model
input: a changed answer text, title, phone number, source, message or report figure needs no
retraining — the servers reload it (bot/content/knowledge.py `cached`).

Added paraphrases change only the NLU examples (data/nlu). Such a change is *finetuned*: Rasa's
`rasa train --finetune BASE --epoch-fraction F` starts from the base model's weights and
vocabularies and trains F of the configured epochs (docs/benchmarks.md, "Training time"). Rasa
allows it only with the same configuration and the same labels (intents, FAQ response keys,
entities, actions); we finetune only when a record of the base model's inputs
(`gongkai-….inputs.json` beside it) shows that nothing but data/nlu changed, and fall back to
full training otherwise — or when Rasa refuses (a new FAQ is a new label).
A finetuned model is saved under the same fingerprint name as a fully trained one would be, so
`make run` does not train again; `gongkai train --force` trains from scratch."""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Callable, Iterable, Optional

from bot.core.settings import PROJECT_ROOT
from bot.tooling import build_data

MODELS_DIR = PROJECT_ROOT / "models"
TRAINING_DATA = ["data/nlu", "data/rules", "data/stories"]
# Everything a trained model depends on (paths relative to the project root), the files
# generated from data/kb among them (data/nlu/faq.generated.yml, domain/faq.generated.yml), and
# the stamp of the spaCy pipeline built from the agency names and other bodies in data/kb.
MODEL_INPUTS = ["config.yml", "domain", *TRAINING_DATA, "data/nlp", "bot/nlp",
                "models/spacy_zh/gongkai-source.sha256"]
# The one input a finetune may change: the NLU examples (paraphrases are added there).
FINETUNABLE = "data/nlu"
# Share of the configured epochs a finetune trains (DIET 100 → 20, ResponseSelector 80 → 16);
# chosen by measurement, docs/benchmarks.md "Training time" (bench/training_time.py).
FINETUNE_EPOCH_FRACTION = 0.2
FULL, FINETUNE = "full", "finetune"


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


def _feed(digest, root: Path, name: str) -> None:
    base = root / name
    files = sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else [base]
    for path in files:
        if path.exists() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())


def fingerprint(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for name in MODEL_INPUTS:
        _feed(digest, root, name)
    return digest.hexdigest()[:16]


def input_digests(root: Path = PROJECT_ROOT) -> dict[str, str]:
    """One digest per model input: what a model's `.inputs.json` records."""
    digests = {}
    for name in MODEL_INPUTS:
        digest = hashlib.sha256()
        _feed(digest, root, name)
        digests[name] = digest.hexdigest()[:16]
    return digests


def inputs_record(model: Path) -> Path:
    """The record of what `model` was trained on, beside it."""
    return model.with_name(model.name.removesuffix(".tar.gz") + ".inputs.json")


def write_inputs_record(model: Path, root: Path = PROJECT_ROOT) -> None:
    inputs_record(model).write_text(json.dumps(input_digests(root), indent=1) + "\n",
                                    encoding="utf-8")


def record_if_named_by_inputs(model: Path, root: Path = PROJECT_ROOT) -> None:
    """Writes the record of a model trained before records existed, when its name proves it was
    trained on `root`'s current inputs (the name is their fingerprint)."""
    if model.exists() and not inputs_record(model).exists() \
            and model.name == f"gongkai-{fingerprint(root)}.tar.gz":
        write_inputs_record(model, root)


def can_finetune(base: Optional[Path], root: Path = PROJECT_ROOT) -> bool:
    """True when `base` exists and its record shows that only the NLU examples changed since."""
    if base is None or not base.exists() or not inputs_record(base).exists():
        return False
    try:
        recorded = json.loads(inputs_record(base).read_text(encoding="utf-8"))
    except ValueError:
        return False
    now = input_digests(root)
    return all(recorded.get(name) == digest for name, digest in now.items() if name != FINETUNABLE)


def model_path(root: Path = PROJECT_ROOT) -> Path:
    return root / "models" / f"gongkai-{fingerprint(root)}.tar.gz"


def latest_model(root: Path = PROJECT_ROOT) -> Optional[Path]:
    models = sorted((root / "models").glob("gongkai-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def train_command(target: Path, root: Path = PROJECT_ROOT, base: Optional[Path] = None,
                  epoch_fraction: float = FINETUNE_EPOCH_FRACTION) -> list[str]:
    command = [rasa_executable(), "train", "--data", *[d for d in TRAINING_DATA if (root / d).exists()],
               "--domain", "domain", "--config", "config.yml", "--out", str(target.parent),
               "--fixed-model-name", target.name.removesuffix(".tar.gz")]
    if base is not None:
        # only NLU examples differ from the base model, whose domain, stories and rules Rasa
        # validated when it was trained: validating them again is ~15 s of a ~90 s finetune
        command += ["--finetune", str(base), "--epoch-fraction", str(epoch_fraction),
                    "--skip-validation"]
    return command


# Rasa's progress: its hooks log "Starting to train component 'DIETClassifier'", tqdm prints
# "Epochs: 45%|…" (carriage returns between updates)
_COMPONENT = re.compile(r"Starting to train component '([^']+)'")
_EPOCHS = re.compile(r"Epochs:\s+(\d+)%")


def _run(command: list[str], root: Path, quiet: bool,
         progress: Optional[Callable[[str, int], None]]) -> int:
    """Runs a training command; with `progress`, reports (component, percent) as Rasa goes."""
    if progress is None:
        return subprocess.run(command, cwd=root, env=rasa_env(),
                              stdout=subprocess.DEVNULL if quiet else None).returncode
    # unbuffered: Rasa's log lines reach us as they are written, not in 8 KB blocks
    process = subprocess.Popen(command, cwd=root, env={**rasa_env(), "PYTHONUNBUFFERED": "1"},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    component, buffer = "", b""
    tail: list[str] = []  # Rasa's last lines, printed if it fails (the job's log)
    while chunk := process.stdout.read1(4096):  # type: ignore[attr-defined]
        buffer += chunk
        *pieces, buffer = re.split(rb"[\r\n]", buffer)
        for piece in pieces:
            line = piece.decode("utf-8", "replace")
            if line.strip() and not _EPOCHS.search(line):
                tail = [*tail[-39:], line]
            if found := _COMPONENT.search(line):
                component = found.group(1)
                progress(component, 0)
            elif (epochs := _EPOCHS.search(line)) and component:
                progress(component, int(epochs.group(1)))
    code = process.wait()
    if code != 0:
        print("\n".join(["rasa train failed; its last lines:", *tail]), flush=True)
    return code


def train(target: Path, root: Path = PROJECT_ROOT, base: Optional[Path] = None, quiet: bool = False,
          epoch_fraction: float = FINETUNE_EPOCH_FRACTION,
          progress: Optional[Callable[[str, int], None]] = None) -> str:
    """Trains `target` from the inputs under `root`: finetuning `base` when given and only the
    NLU examples changed since it was trained, else (or when Rasa refuses to finetune) from
    scratch. Returns how: FINETUNE or FULL."""
    target.parent.mkdir(exist_ok=True)
    mode = FULL
    if can_finetune(base, root):
        code = _run(train_command(target, root, base, epoch_fraction), root, quiet, progress)
        mode = FINETUNE if code == 0 and target.exists() else FULL
    if mode == FULL:
        code = _run(train_command(target, root), root, quiet, progress)
        if code != 0:
            raise subprocess.CalledProcessError(code, "rasa train")
    write_inputs_record(target, root)
    return mode


def remove_other_models(keep: Iterable[Path], root: Path = PROJECT_ROOT) -> None:
    kept = {p.resolve() for p in keep}
    for old in (root / "models").glob("gongkai-*.tar.gz"):
        if old.resolve() not in kept:
            old.unlink()
            inputs_record(old).unlink(missing_ok=True)
            check_record(old).unlink(missing_ok=True)


def ensure_model(force: bool = False, quiet: bool = False, finetune: bool = False) -> Path:
    """The trained model for the current inputs, training it first when missing. With
    `finetune`, the newest existing model is finetuned when only paraphrases changed since.
    One process at a time (the test workers, `make run` beside `gongkai evaluate`): the others
    wait for it and then find the model trained."""
    import fcntl

    (PROJECT_ROOT / "models").mkdir(exist_ok=True)
    with open(PROJECT_ROOT / "models" / ".ensure.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        return _ensure_model(force, quiet, finetune)


def _ensure_model(force: bool, quiet: bool, finetune: bool) -> Path:
    build_data.build()  # generated files are model inputs: build before fingerprinting
    target = model_path()
    record_if_named_by_inputs(target)
    if target.exists() and not force:
        return target
    base = latest_model() if finetune and not force else None
    mode = train(target, base=base, quiet=quiet)
    if not quiet:
        print(f"trained: {mode}" + (f" from {base.name}" if mode == FINETUNE and base else ""))
    remove_other_models([target])
    return target


# ---- training from the desk (issue 16 item 1, issue 17 item 3) ---------------------------------
#
# 「开始训练」 on the desk starts `python -m bot.tooling.training desk-job --root ROOT` in the
# background (one at a time: the job holds an exclusive lock on var/training/lock). The job
# regenerates the training data from data/kb, trains a *candidate* model (finetuning the model
# the running Rasa server serves when only paraphrases changed), scores the served model and the
# candidate on the check set with a temporary Rasa server (the running one keeps serving), and
# loads the candidate into the running Rasa server (PUT /model, with the API token) only when it
# is not worse; otherwise it waits for staff to confirm (`load_candidate`). Its progress is in
# var/training/status.json, which the desk page shows.

STATUS_DIR = Path("var") / "training"
# The check set: the held-out single questions (tests/heldout/questions.yml), every one of them;
# their three outcomes are compared before/after. "Not worse": at most one question more
# answered wrong and at most one fewer answered right (finetuning is not bit-for-bit repeatable).
CHECK_TOLERANCE = 1
RUNNING, WAITING, DONE, FAILED = "running", "waiting", "done", "failed"


def status_dir(root: Path) -> Path:
    return root / STATUS_DIR


def read_status(root: Path = PROJECT_ROOT) -> dict:
    try:
        return json.loads((status_dir(root) / "status.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_status(root: Path, status: dict) -> None:
    folder = status_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    scratch = folder / "status.json.tmp"
    scratch.write_text(json.dumps(status, ensure_ascii=False, indent=1), encoding="utf-8")
    scratch.replace(folder / "status.json")


def _try_lock(root: Path):
    """The job's lock file, locked (keep it open), or None when a job holds it."""
    import fcntl

    folder = status_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    handle = open(folder / "lock", "a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def is_running(root: Path = PROJECT_ROOT) -> bool:
    handle = _try_lock(root)
    if handle is None:
        return True
    handle.close()
    return False


def start_desk_job(root: Path, env: Optional[dict] = None) -> bool:
    """Starts the job in the background unless one runs; the Rasa server's address and token
    come from `env` (GONGKAI_RASA_URL, GONGKAI_RASA_TOKEN). Returns whether it started."""
    import threading
    import time

    lock = _try_lock(root)
    if lock is None:
        return False
    write_status(root, {"state": RUNNING, "stage": "starting", "started": time.time()})
    # the job inherits the locked file: the lock is held from this moment until the job ends (a
    # second click while the job's Python is still starting finds it locked)
    with lock, open(status_dir(root) / "job.log", "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "bot.tooling.training", "desk-job",
                                    "--root", str(root), "--lock-fd", str(lock.fileno())],
                                   cwd=PROJECT_ROOT, env=env or dict(os.environ), stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True,
                                   pass_fds=(lock.fileno(),))
    threading.Thread(target=process.wait, daemon=True).start()  # reaped when it ends
    return True


def _rasa(url: str, token: Optional[str], method: str, path: str, body: Optional[dict] = None,
          timeout: float = 300.0) -> dict:
    import urllib.parse
    import urllib.request

    query = f"?token={urllib.parse.quote(token)}" if token else ""
    data = json.dumps(body).encode("utf-8") if body is not None else None
    request = urllib.request.Request(url.rstrip("/") + path + query, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = response.read()
    return json.loads(raw) if raw else {}


def served_model(root: Path, rasa_url: str, token: Optional[str]) -> Optional[Path]:
    """The model file the running Rasa server serves, when it is in `root`/models."""
    name = _rasa(rasa_url, token, "GET", "/status", timeout=10).get("model_file") or ""
    path = root / "models" / Path(name).name
    return path if name and path.exists() else None


def check_record(model: Path) -> Path:
    return model.with_name(model.name.removesuffix(".tar.gz") + ".check.json")


def check_figures(*models: Path) -> list[dict]:
    """Each model's three outcomes on the check set, with one temporary Rasa server and action
    server (the running ones are not touched): started with the first model that has no figures
    yet, the next ones loaded into it (PUT /model: no second start-up). Kept beside each model."""
    from bot.tooling import evaluation

    missing = [m for m in models if not check_record(m).exists()]
    if missing:
        with evaluation.running_assistant(missing[0]) as rasa_url:
            for number, model in enumerate(missing):
                if number:
                    _rasa(rasa_url, None, "PUT", "/model", {"model_file": str(model)})
                outcomes = evaluation.evaluate_single_questions(rasa_url).items
                figures = {"right": outcomes.right, "asked": outcomes.asked, "wrong": outcomes.wrong,
                           "asked_right_option": outcomes.asked_right_option, "total": outcomes.total}
                check_record(model).write_text(json.dumps(figures) + "\n", encoding="utf-8")
    return [json.loads(check_record(m).read_text(encoding="utf-8")) for m in models]


def not_worse(before: dict, after: dict, tolerance: int = CHECK_TOLERANCE) -> bool:
    """After is not worse than before: its right answers at most `tolerance` questions fewer and
    its wrong answers at most `tolerance` more (as shares: the sets may differ by a near copy)."""
    if not before.get("total") or not after.get("total"):
        return False
    total = after["total"]
    share = lambda figures, key: figures[key] / figures["total"]  # noqa: E731
    return (share(after, "right") >= share(before, "right") - tolerance / total
            and share(after, "wrong") <= share(before, "wrong") + tolerance / total)


def candidate_path(root: Path) -> Path:
    return root / "models" / f"candidate-{fingerprint(root)}.tar.gz"


def load_candidate(root: Path, rasa_url: str, token: Optional[str]) -> Path:
    """Gives the candidate its model name (`make run` then starts with it) and loads it into the
    running Rasa server. Keeps the model served before (a restarted Rasa server is started with
    it) and removes older ones."""
    status = read_status(root)
    candidate = Path(status["candidate"])
    target = root / "models" / candidate.name.replace("candidate-", "gongkai-", 1)
    if candidate.exists():
        for source, destination in ((candidate, target), (inputs_record(candidate), inputs_record(target)),
                                    (check_record(candidate), check_record(target))):
            if source.exists():
                source.replace(destination)
    _rasa(rasa_url, token, "PUT", "/model", {"model_file": str(target)})
    previous = Path(status["served"]) if status.get("served") else None
    remove_other_models([target, *([previous] if previous else [])], root)
    write_status(root, {**status, "state": DONE, "stage": "loaded", "loaded": str(target)})
    return target


def desk_job(root: Path, rasa_url: str, token: Optional[str], lock_fd: Optional[int] = None) -> int:
    """The job; `lock_fd`: the locked file inherited from `start_desk_job` (else it locks)."""
    import time

    lock = os.fdopen(lock_fd, "a") if lock_fd is not None else _try_lock(root)
    if lock is None:
        return 3
    status: dict = {"state": RUNNING, "stage": "data", "started": time.time(), "pid": os.getpid()}
    write_status(root, status)
    last_write = [0.0]

    def stage(**changes) -> None:
        status.update(changes)
        write_status(root, status)

    def progress(component: str, percent: int) -> None:
        status.update(component=component, percent=percent)
        if time.monotonic() - last_write[0] >= 1 or percent in (0, 100):
            last_write[0] = time.monotonic()
            write_status(root, status)

    try:
        build_data.build(root)
        served = served_model(root, rasa_url, token)
        target = model_path(root)
        if served is not None and served == target:
            stage(state=DONE, stage="unchanged", finished=time.time())
            return 0
        candidate = candidate_path(root)
        stage(stage="training", served=str(served) if served else None, candidate=str(candidate),
              finetune=can_finetune(served, root))
        started = time.monotonic()
        mode = train(candidate, root, base=served, quiet=True, progress=progress)
        stage(stage="checking", mode=mode, train_seconds=round(time.monotonic() - started))
        if served:
            before, after = check_figures(served, candidate)
        else:
            before, after = None, check_figures(candidate)[0]
        better = before is not None and not_worse(before, after)
        stage(before=before, after=after, not_worse=better, checked=time.time())
        if better:
            stage(stage="loading")
            load_candidate(root, rasa_url, token)
            status.update(read_status(root))
        else:
            stage(state=WAITING, stage="confirm")
        stage(finished=time.time())
        return 0
    except Exception as failure:  # noqa: BLE001 — reported on the desk, the log has the rest
        import traceback

        traceback.print_exc()
        stage(state=FAILED, error=f"{failure.__class__.__name__}: {failure}"[:300],
              finished=time.time())
        return 1
    finally:
        lock.close()


def main(argv: Optional[list[str]] = None) -> int:
    import argparse

    from bot.core.settings import Settings

    parser = argparse.ArgumentParser(description="training from the desk, in the background")
    commands = parser.add_subparsers(dest="command", required=True)
    job = commands.add_parser("desk-job")
    job.add_argument("--root", type=Path, default=PROJECT_ROOT)
    job.add_argument("--lock-fd", type=int, help="the locked file, inherited (start_desk_job)")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    return desk_job(args.root, settings.rasa.url, settings.rasa.token, args.lock_fd)


if __name__ == "__main__":
    sys.exit(main())
