"""When a change is finetuned and when it is trained from scratch (bot.tooling.training), on a
copy of the project's model inputs (never data/kb itself); the desk's before/after rule; reading
Rasa's progress. No model is trained here: the choice is made before Rasa runs (the real
finetune is in tests/system/desk/test_desk_training.py)."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from bot.desk import workbench
from bot.tooling import build_data, training

ROOT = Path(__file__).resolve().parents[3]


def project_copy(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for name in [*training.MODEL_INPUTS, "data/kb"]:
        source, target = ROOT / name, root / name
        if not source.exists():
            continue
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return root


def trained_copy(tmp_path: Path) -> tuple[Path, Path]:
    """A project copy and a stand-in for its trained model, with the record of its inputs (the
    choice reads only the record; the file's content does not matter to it)."""
    root = project_copy(tmp_path)
    build_data.build(root)
    model = root / "models" / f"gongkai-{training.fingerprint(root)}.tar.gz"
    model.write_bytes(b"stand-in")
    training.write_inputs_record(model, root)
    return root, model


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_an_added_paraphrase_is_finetuned(tmp_path):
    root, model = trained_copy(tmp_path)
    assert training.can_finetune(model, root)  # nothing changed yet
    workbench.add_paraphrase(root / "data" / "kb", "contact_info", "贵局的联系电话能告诉我吗")
    build_data.build(root)
    # only data/nlu/faq.generated.yml changed: the model's name changes, finetuning is allowed
    assert f"gongkai-{training.fingerprint(root)}.tar.gz" != model.name
    assert training.can_finetune(model, root)


def test_a_changed_config_or_agency_alias_is_trained_from_scratch(tmp_path):
    root, model = trained_copy(tmp_path)
    edit(root / "config.yml", "    epochs: 100\n", "    epochs: 120\n")  # Rasa would accept this one
    assert not training.can_finetune(model, root)  # …we do not: any config change trains afresh

    root, model = trained_copy(tmp_path / "alias")
    edit(root / "data" / "kb" / "agencies.yml", "      - 市审批局\n", "      - 市审批局\n      - 淄博行政审批局\n")
    build_data.build(root)  # the entity ruler's stamp and the synonyms change
    assert not training.can_finetune(model, root)


def test_without_a_record_or_a_model_there_is_no_finetuning(tmp_path):
    root, model = trained_copy(tmp_path)
    training.inputs_record(model).unlink()
    assert not training.can_finetune(model, root)
    assert not training.can_finetune(None, root)
    assert not training.can_finetune(root / "models" / "gongkai-missing.tar.gz", root)


def test_a_model_named_by_its_inputs_gets_its_record(tmp_path):
    root, model = trained_copy(tmp_path)
    training.inputs_record(model).unlink()
    training.record_if_named_by_inputs(model, root)  # its name is the fingerprint of root's inputs
    assert training.can_finetune(model, root)
    other = root / "models" / "gongkai-0000000000000000.tar.gz"
    other.write_bytes(b"stand-in")
    training.record_if_named_by_inputs(other, root)  # named after other inputs: no record
    assert not training.inputs_record(other).exists()


def test_not_worse_allows_one_question_either_way():
    # worked by hand on 100 questions: 90 right / 6 asked / 4 wrong before
    before = {"right": 90, "asked": 6, "wrong": 4, "total": 100}
    assert training.not_worse(before, {"right": 89, "asked": 6, "wrong": 5, "total": 100})  # 1 each
    assert not training.not_worse(before, {"right": 88, "asked": 8, "wrong": 4, "total": 100})
    assert not training.not_worse(before, {"right": 90, "asked": 4, "wrong": 6, "total": 100})
    assert training.not_worse(before, {"right": 95, "asked": 3, "wrong": 2, "total": 100})
    assert not training.not_worse({}, {"right": 95, "asked": 3, "wrong": 2, "total": 100})


def test_progress_is_read_from_rasa_output(tmp_path):
    # what Rasa 3.6 prints while training (hooks log line; tqdm bar updated with \r)
    script = tmp_path / "fake_rasa.py"
    script.write_text(
        "import sys\n"
        "print('2026-12-07 INFO rasa.engine.training.hooks - Starting to train component "
        "\\'DIETClassifier\\'.', flush=True)\n"
        "sys.stdout.write('Epochs:   0%|  | 0/20 [00:00<?, ?it/s]\\rEpochs:  50%|##| 10/20\\r"
        "Epochs: 100%|####| 20/20\\n')\n"
        "print('INFO Starting to train component \\'ResponseSelector\\'.')\n"
        "print('Epochs:  25%|#| 4/16')\n", encoding="utf-8")
    seen: list[tuple[str, int]] = []
    code = training._run([sys.executable, str(script)], tmp_path, True,
                         lambda component, percent: seen.append((component, percent)))
    assert code == 0
    assert seen == [("DIETClassifier", 0), ("DIETClassifier", 0), ("DIETClassifier", 50),
                    ("DIETClassifier", 100), ("ResponseSelector", 0), ("ResponseSelector", 25)]


def test_a_finetune_skips_rasas_data_validation_and_a_full_training_does_not(tmp_path):
    # a finetune changes only NLU examples (can_finetune checks it): the domain, stories and
    # rules are the base model's, validated when it was trained
    target = tmp_path / "models" / "gongkai-x.tar.gz"
    base = tmp_path / "models" / "gongkai-base.tar.gz"
    full = training.train_command(target, ROOT)
    finetune = training.train_command(target, ROOT, base, 0.2)
    assert "--skip-validation" not in full and "--finetune" not in full
    assert finetune[finetune.index("--finetune") + 1] == str(base)
    assert finetune[finetune.index("--epoch-fraction") + 1] == "0.2"
    assert "--skip-validation" in finetune
