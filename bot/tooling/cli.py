"""`gongkai` — the project's command line (the Makefile calls it).

  gongkai build-data   regenerate Rasa's FAQ data and the spaCy pipeline from data/kb
  gongkai train        train the model if the data changed (--force: always; --finetune: added
                       paraphrases finetune the current model, ~1 min instead of ~4)
  gongkai validate     check the knowledge base and run `rasa data validate`
  gongkai evaluate     answered right / asked / wrong, and NLU top-1/top-3, on the held-out sets
  gongkai crossval     5-fold cross-validation on the training data (rasa test nlu; ~30 min)
  gongkai run          train if needed, start the action server, the Rasa server and the web
                       app, and keep them running (a child that exits is started again)
  gongkai agent add    create a desk account: a hotline agent, or with --staff a knowledge-base
                       staff member (password prompted, or --password-stdin)
  gongkai agent list   list the desk's accounts
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

from bot.core.settings import PROJECT_ROOT, settings

VAR = PROJECT_ROOT / "var"


def cmd_build_data(args: argparse.Namespace) -> int:
    from bot.tooling import build_data

    for path in build_data.build():
        print(f"written: {path}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from bot.tooling import training

    print(f"model: {training.ensure_model(force=args.force, finetune=args.finetune)}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from bot.tooling import build_data, training

    build_data.build()  # refuses an invalid knowledge base with the list of problems
    command = [training.rasa_executable(), "data", "validate", "--data", *training.TRAINING_DATA,
               "--domain", "domain", "--config", "config.yml"]
    return subprocess.run(command, cwd=PROJECT_ROOT, env=training.rasa_env()).returncode


def cmd_evaluate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.tooling import evaluation, training

    model = Path(args.model) if args.model else training.ensure_model(quiet=True)
    print("starting a Rasa server and an action server for the evaluation…", flush=True)
    with evaluation.running_assistant(model) as rasa_url:
        report = evaluation.evaluate(evaluation.parse_with_server(rasa_url),
                                     evaluation.load_questions())
        replies = evaluation.evaluate_replies(rasa_url)
    print(replies.markdown())
    print(f"NLU labels: {report.total} questions scored ({report.left_out} near copies of training "
          f"examples left out), top-1 {report.top1_accuracy:.1%}, "
          f"top-3 {report.top3_accuracy:.1%} (model {model.name})")
    failures = PROJECT_ROOT / "results" / "evaluation-failures.md"
    failures.parent.mkdir(exist_ok=True)
    failures.write_text(replies.failures_markdown(), encoding="utf-8")
    print(replies.failures_markdown() if args.verbose
          else f"every turn not answered right: {failures}")
    if args.out:
        evaluation.write_report(Path(args.out), report, replies)
        print(f"written: {args.out}")
    return 0


def cmd_crossval(args: argparse.Namespace) -> int:
    from bot.tooling import build_data, training

    build_data.build()
    out = PROJECT_ROOT / "results" / "crossval"
    command = [training.rasa_executable(), "test", "nlu", "--nlu", "data/nlu", "--config",
               "config.yml", "--domain", "domain", "--cross-validation", "--folds", str(args.folds),
               "--out", str(out), "--no-plot"]
    code = subprocess.run(command, cwd=PROJECT_ROOT, env=training.rasa_env()).returncode
    print(f"reports: {out}/ (intent_report.json, response_selection_report.json)")
    return code


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def run_log(logs: Path) -> logging.Logger:
    """`gongkai run`'s own log (children that exit and are started again): the terminal and
    var/log/run.log, masked like every other log (bot.rules.privacy)."""
    from bot.rules.privacy import PIIMaskingFilter, install_log_masking

    install_log_masking()
    log = logging.getLogger("bot.run")
    if not log.handlers:
        logs.mkdir(parents=True, exist_ok=True)
        for handler in (logging.StreamHandler(sys.stderr), logging.FileHandler(logs / "run.log")):
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
            handler.addFilter(PIIMaskingFilter())
            log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    return log


def cmd_run(args: argparse.Namespace) -> int:
    from bot.cases import importer
    from bot.tooling import servers, training

    plan = servers.RunPlan(rasa_port=args.port, web_port=args.web_port,
                           action_port=args.action_port, var=Path(args.var).resolve())
    demo = PROJECT_ROOT / "data" / "demo" / "cases.json"
    if importer.main([str(demo)]) != 0:  # migrates the database; idempotent
        return 1
    print("公开助手：检查模型（数据有变化时重新训练，约需十几分钟）…", flush=True)
    model = training.ensure_model(quiet=True)
    # what the run writes under var/ — the tracker store, logs, tokens — is the owner's only:
    # files 0600, folders 0700 (a folder made earlier with a wider mode is narrowed)
    os.umask(0o077)
    plan.var.mkdir(parents=True, exist_ok=True)
    if plan.var.stat().st_mode & 0o077:
        plan.var.chmod(0o700)
    log = run_log(plan.logs)
    # the servers run in their own sessions: on `kill`/`systemctl stop` (SIGTERM) or a closed
    # terminal (SIGHUP) stop them as on Ctrl+C instead of leaving them running
    for stop_signal in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop_signal, _interrupt)
    started: list = []
    try:
        started = servers.start_run(plan, model)
        print("正在启动动作服务器、Rasa 服务器和网页服务（约1分钟）…", flush=True)
        for process in started:
            process.wait_ready()
        base = f"http://127.0.0.1:{plan.rasa_port}"
        web = f"http://127.0.0.1:{plan.web_port}"
        print(f"""
公开助手已启动（默认机构：{settings.answers.default_agency}）。
  对话接口 REST：   POST {base}/webhooks/rest/webhook   {{"sender": "me", "message": "申请信息公开多久答复？"}}
  网页聊天窗口：    {web}/widget/      （socket.io 渠道：{base}/socket.io）
  坐席工作台：      {web}/desk/        （先创建账号：.venv/bin/gongkai agent add 用户名）
  演示案件查询：    对助手说“查询进度”，编号 ZBSP-2026-0101，查询码 5843 5514 9086
  Rasa HTTP API：   需令牌（?token=…，见 {plan.var / servers.TOKEN_FILE} 或 GONGKAI_RASA_TOKEN）
  日志：            {plan.logs}/
某个服务意外退出时会自动重启（记录在 {plan.logs / 'run.log'}）。按 Ctrl+C 停止。""", flush=True)
        servers.Supervisor(started, log).run()
    except KeyboardInterrupt:
        print("\n正在停止…")
        return 0
    finally:
        for process in reversed(started):
            process.stop()
    return 1  # not reached: the supervisor runs until interrupted


def cmd_agent_add(args: argparse.Namespace) -> int:
    import getpass

    from bot.core import bootstrap, clock, db
    from bot.desk.accounts import AccountError
    from bot.desk.models import AGENT, STAFF

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("密码（至少10个字符）：")
        if getpass.getpass("再输入一次：") != password:
            print("两次输入的密码不一致，未创建账号。", file=sys.stderr)
            return 1
    db.upgrade()
    try:
        agent = bootstrap.root().accounts.add_agent(args.username, args.display_name, password,
                                                    clock.now(), STAFF if args.staff else AGENT)
    except AccountError as error:
        print(f"未创建账号：{error.message_zh}", file=sys.stderr)
        return 1
    kind = "知识库维护人员" if agent.is_staff else "坐席"
    print(f"已创建{kind}账号 {agent.username}（{agent.display_name}）。登录地址：/desk/login")
    return 0


def cmd_agent_list(args: argparse.Namespace) -> int:
    from bot.core import bootstrap, db

    db.upgrade()
    for agent in bootstrap.root().accounts.agents():
        role = "知识库维护" if agent.is_staff else "坐席"
        print(f"{agent.username}\t{agent.display_name}\t{role}\t{'启用' if agent.active else '停用'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gongkai", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("build-data").set_defaults(func=cmd_build_data)
    train = commands.add_parser("train")
    train.add_argument("--force", action="store_true", help="train from scratch even if up to date")
    train.add_argument("--finetune", action="store_true",
                       help="when only paraphrases (NLU examples) changed, finetune the current "
                            "model instead of training from scratch")
    train.set_defaults(func=cmd_train)
    commands.add_parser("validate").set_defaults(func=cmd_validate)
    evaluate = commands.add_parser("evaluate")
    evaluate.add_argument("--model", help="a trained model (default: the current one)")
    evaluate.add_argument("--out", help="write the per-label report (Markdown) here")
    evaluate.add_argument("--verbose", action="store_true",
                          help="print every turn not answered right")
    evaluate.set_defaults(func=cmd_evaluate)
    crossval = commands.add_parser("crossval")
    crossval.add_argument("--folds", type=int, default=5)
    crossval.set_defaults(func=cmd_crossval)
    run = commands.add_parser("run")
    run.add_argument("--port", type=int, default=5005, help="Rasa server port")
    run.add_argument("--web-port", type=int, default=8000, help="web app port (desk, widget)")
    run.add_argument("--action-port", type=int, default=5055, help="action server port")
    run.add_argument("--var", default=str(VAR),
                     help="folder for logs, the conversation store and the Rasa API token (default var/)")
    run.set_defaults(func=cmd_run)
    agent = commands.add_parser("agent", help="desk accounts (agents and staff)")
    agent_commands = agent.add_subparsers(dest="agent_command", required=True)
    add = agent_commands.add_parser("add", help="create an agent (or, with --staff, a staff) account")
    add.add_argument("username", help="2-32 lower-case letters, digits or . _ -")
    add.add_argument("--display-name", help="the name shown in the desk and to citizens")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of standard input")
    add.add_argument("--staff", action="store_true",
                     help="a knowledge-base staff member (answer editing, 试一试, review queue) "
                          "instead of a hotline agent")
    add.set_defaults(func=cmd_agent_add)
    agent_commands.add_parser("list", help="list agent accounts").set_defaults(func=cmd_agent_list)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
