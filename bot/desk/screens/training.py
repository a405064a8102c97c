"""Training from the desk (/desk/training, staff only): after paraphrases or new FAQs were added
(review page, 「试一试」, workbench), 「开始训练」 starts training in the background
(bot.tooling.training `desk-job`; one at a time, the running model keeps serving); the page shows
its progress, then the check set's three outcomes (the held-out single questions) for the model
being served and the new one. The new model is loaded into the running Rasa server (PUT /model
with the API token) by the job itself when it is not worse; otherwise staff may load it here
(「仍然启用新模型」) or leave the old one serving. Plain HTML forms, post-redirect-get; while
training runs the page reloads itself every few seconds."""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Optional

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core.settings import PROJECT_ROOT
from bot.core.threads import in_thread
from bot.desk import web
from bot.desk.models import STAFF
from bot.tooling import training

log = logging.getLogger(__name__)

bp = Blueprint("desk_training")
PAGES = {"training"}
ROLE = STAFF
REFRESH_SECONDS = 3

STAGES = {"starting": "正在启动", "data": "正在根据知识库生成训练数据", "training": "正在训练",
          "checking": "正在检查新模型的答对率（用临时的助手实例，正在服务的助手不受影响）",
          "loading": "正在启用新模型", "loaded": "新模型已启用", "confirm": "新模型已训练好，等待确认",
          "unchanged": "没有需要训练的改动，助手用的已是最新模型"}
COMPONENTS = {"DIETClassifier": "意图识别", "ResponseSelector": "常见问题匹配"}
MODES = {training.FINETUNE: "在现有模型上追加训练（只新增了问法）", training.FULL: "完整训练"}
NOTICES = {"started": "已开始训练。训练期间助手照常用现有模型回答。",
           "busy": "已有一次训练在进行，请等它完成。",
           "loaded": "已启用新模型。"}


def project_root(request: Request) -> Optional[Path]:
    """The project the desk's knowledge base belongs to (its data/kb), where training runs."""
    kb_dir = Path(web.desk(request).settings.content.review_kb_dir).resolve()
    if kb_dir == (PROJECT_ROOT / "data" / "kb").resolve():
        return PROJECT_ROOT
    root = kb_dir.parents[1]
    if kb_dir.parts[-2:] == ("data", "kb") and (root / "config.yml").exists():
        return root
    return None


def job_env(request: Request) -> dict:
    rasa = web.desk(request).settings.rasa
    env = {**os.environ, "GONGKAI_RASA_URL": rasa.url}
    if rasa.token:
        env["GONGKAI_RASA_TOKEN"] = rasa.token
    return env


# every field of the job's status the page reads (bot.tooling.training.desk_job writes them as it goes)
BLANK = {"state": "", "stage": "", "finetune": False, "component": "", "percent": None, "mode": "",
         "train_seconds": None, "error": "", "not_worse": None, "loaded": "", "before": None, "after": None}


def shares(figures: Optional[dict]) -> Optional[dict]:
    if not figures or not figures.get("total"):
        return None
    total = figures["total"]
    return {key: f"{figures[key] / total:.1%}" for key in ("right", "asked", "wrong")} | {"total": total}


@bp.get("/training", name="training")
async def training_page(request: Request) -> HTTPResponse:
    root = project_root(request)
    status = {**BLANK, **(await in_thread(training.read_status, root) if root else {})}
    running = bool(root) and await in_thread(training.is_running, root)
    if status.get("state") == training.RUNNING and not running:
        status = {**status, "state": training.FAILED, "error": status.get("error") or "训练进程意外结束。"}
    return web.page("training.html", **web.base_context(request), available=root is not None,
                    job=status, running=running, stages=STAGES, components=COMPONENTS,
                    modes=MODES, before=shares(status.get("before")), after=shares(status.get("after")),
                    notice=NOTICES.get(request.args.get("notice", ""), ""),
                    total=(status.get("after") or status.get("before") or {}).get("total"),
                    refresh=REFRESH_SECONDS if running else 0)


@bp.post("/training/start", name="training_start")
async def training_start(request: Request) -> HTTPResponse:
    root = project_root(request)
    if root is None:
        return web.error(409, "这个部署的知识库不在项目目录里，不能在网页上训练。")
    started = await in_thread(training.start_desk_job, root, job_env(request))
    if started:
        log.info("desk training: %s started a training run", web.username(request))
    return response.redirect(f"/desk/training?notice={'started' if started else 'busy'}", status=303)


@bp.post("/training/load", name="training_load")
async def training_load(request: Request) -> HTTPResponse:
    root = project_root(request)
    if root is None:
        return web.error(409, "这个部署的知识库不在项目目录里，不能在网页上训练。")
    status = await in_thread(training.read_status, root)
    if status.get("state") != training.WAITING or await in_thread(training.is_running, root):
        return web.error(409, "现在没有等待确认的新模型。")
    rasa = web.desk(request).settings.rasa
    await in_thread(training.load_candidate, root, rasa.url, rasa.token)
    log.info("desk training: %s confirmed loading the new model", web.username(request))
    return response.redirect("/desk/training?notice=loaded", status=303)
