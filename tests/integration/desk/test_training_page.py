"""The desk's training page (bot/desk/screens/training.py) through our real web app, without Rasa:
what staff see in each state of the background job (bot.tooling.training writes
var/training/status.json; the job's lock says whether it runs). The real job, through the real
servers, is tests/system/desk/test_desk_training.py."""
from __future__ import annotations

import shutil

import pytest

from bot.core import clock
from bot.core.settings import PROJECT_ROOT
from bot.desk.accounts import AccountStore
from bot.tooling import training
from tests.support import webapp
from tests.support.webapp import PASSWORD, Agent


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    work = tmp_path_factory.mktemp("training-page")
    root = work / "project"  # a project root: its config.yml and data/kb
    (root / "data").mkdir(parents=True)
    shutil.copy2(PROJECT_ROOT / "config.yml", root / "config.yml")
    shutil.copytree(PROJECT_ROOT / "data" / "kb", root / "data" / "kb")
    elsewhere = work / "kb"  # a knowledge base outside any project
    shutil.copytree(PROJECT_ROOT / "data" / "kb", elsewhere)
    app = webapp.start(work, {"GONGKAI_REVIEW_KB_DIR": str(root / "data" / "kb")})
    (work / "other").mkdir()
    other = webapp.start(work / "other", {"GONGKAI_REVIEW_KB_DIR": str(elsewhere)})
    for site_app in (app, other):
        AccountStore.from_url(site_app.database_url).add_agent("zhao", "赵静", PASSWORD, clock.now(),
                                                                role="staff")
    try:
        yield app, other, root
    finally:
        app.process.stop()
        other.process.stop()


def staff(app) -> Agent:
    client = Agent(app)
    assert client.login("zhao").status_code == 303
    return client


def test_before_any_training_the_page_offers_to_start(site):
    app, _other, root = site
    shutil.rmtree(root / "var", ignore_errors=True)  # no job has run yet: no status file
    page = staff(app).get("/desk/training")
    assert page.status_code == 200 and 'id="training-start"' in page.text
    assert 'id="training-figures"' not in page.text and 'http-equiv="refresh"' not in page.text


def test_waiting_for_confirmation_shows_both_figures_and_the_load_button(site):
    app, _other, root = site
    # 380 questions: 350/18/12 before, 345/20/15 after — 5 fewer right, 3 more wrong: worse
    training.write_status(root, {
        "state": training.WAITING, "stage": "confirm", "mode": training.FINETUNE, "train_seconds": 61,
        "before": {"right": 350, "asked": 18, "wrong": 12, "total": 380},
        "after": {"right": 345, "asked": 20, "wrong": 15, "total": 380}, "not_worse": False})
    page = staff(app).get("/desk/training")
    assert page.status_code == 200
    assert 'id="figures-before"' in page.text and "<td>92.1%</td>" in page.text  # 350/380
    assert "<td>90.8%</td>" in page.text and "<td>3.9%</td>" in page.text  # 345/380, 15/380
    assert 'id="training-load"' in page.text and "仍然启用新模型" in page.text
    assert "用时 61 秒" in page.text
    assert 'http-equiv="refresh"' not in page.text


def test_while_a_job_runs_the_page_refreshes_and_shows_progress_and_no_second_start(site):
    app, _other, root = site
    training.write_status(root, {"state": training.RUNNING, "stage": "training", "finetune": True,
                                 "component": "DIETClassifier", "percent": 45})
    lock = training._try_lock(root)  # as the job holds it
    assert lock is not None
    try:
        client = staff(app)
        page = client.get("/desk/training")
        assert 'http-equiv="refresh" content="3"' in page.text
        assert 'id="training-progress" max="100" value="45"' in page.text and "意图识别 45%" in page.text
        assert 'id="training-start"' not in page.text
        started = client.http.post(client.url("/desk/training/start"), data={"csrf_token": client.csrf},
                                   allow_redirects=False)
        assert started.status_code == 303 and started.headers["Location"].endswith("notice=busy")
        assert training.read_status(root)["percent"] == 45  # nothing started, nothing overwritten
        load = client.http.post(client.url("/desk/training/load"), data={"csrf_token": client.csrf},
                                allow_redirects=False)
        assert load.status_code == 409
    finally:
        lock.close()
    page = staff(app).get("/desk/training")  # the lock is gone but the status says running: it died
    assert 'id="training-failed"' in page.text and 'id="training-start"' in page.text


def test_a_knowledge_base_outside_a_project_cannot_be_trained_from_the_page(site):
    _app, other, _root = site
    client = staff(other)
    page = client.get("/desk/training")
    assert page.status_code == 200 and 'id="training-unavailable"' in page.text
    started = client.http.post(client.url("/desk/training/start"), data={"csrf_token": client.csrf},
                               allow_redirects=False)
    assert started.status_code == 409


def test_agents_do_not_get_the_training_page(site):
    app, _other, _root = site
    client = Agent(app)
    assert client.login("li").status_code == 303
    assert client.get("/desk/training").status_code in (302, 303, 403)
