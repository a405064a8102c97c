"""``python -m bot.serving.action_server``: the action server (rasa_sdk with our ``actions`` package), as
``rasa run actions`` runs it, but

* listening on 127.0.0.1 unless told otherwise (``--host`` or ``GONGKAI_ACTIONS_HOST``; in
  production the private network's address, never a public one);
* refusing (401) every call but ``/health`` that lacks the shared secret in
  ``Authorization: Bearer <secret>``, which the Rasa server sends from its endpoints file
  (``action_endpoint.headers``; ``bot.tooling.servers.write_endpoints``, endpoints.yml). A forged
  ``action_check_case_status`` call cannot test query codes, nor can a web page in a browser on
  the host (no CORS headers are sent either);
* adding the conversation's topic slots to every action's response
  (``actions.context.topic_slot_events``; ``with_topic_slots``), so that Rasa needs no second
  action-server call per turn to keep them;
* running the case store's retention (``CaseStore.purge``) at start and then every hour;
* serving the process's Prometheus exporter on GONGKAI_ACTIONS_METRICS_PORT when it is set
  (started here in ``main``, not when the ``actions`` package is imported).

The secret is ``GONGKAI_ACTION_TOKEN``, else the file ``var/action-token``, generated (owner-only)
the first time it is needed: `make run` and the tests need nothing set by hand. In production set
``GONGKAI_ACTION_TOKEN`` to the same long random value on the Rasa and action-server hosts.
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path
from typing import List, Mapping, Optional

from bot.core.settings import PROJECT_ROOT, settings

log = logging.getLogger(__name__)

TOKEN_ENV = "GONGKAI_ACTION_TOKEN"
TOKEN_FILE = PROJECT_ROOT / "var" / "action-token"
OPEN_PATHS = ("/health",)
RETENTION_INTERVAL = 3600.0  # seconds


def action_token(env: Mapping[str, str] = os.environ, path: Path = TOKEN_FILE) -> str:
    """The shared secret: ``GONGKAI_ACTION_TOKEN``, else the generated one in ``path``."""
    given = env.get(TOKEN_ENV, "").strip()
    if given:
        return given
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    try:
        # O_EXCL: two processes starting at once agree on the first one written
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(token + "\n")
    return token


def authorization_header(token: str) -> dict:
    """What the Rasa server sends with every call (its endpoints file's ``headers``)."""
    return {"Authorization": f"Bearer {token}"}


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", errors="replace")).digest()


def with_topic_slots() -> None:
    """After every action, the ``topic`` slots it leads to join its response (once per process)."""
    from rasa_sdk import ValidationAction
    from rasa_sdk.executor import ActionExecutor

    if getattr(ActionExecutor.run, "topic_slots", False):
        return
    run_action = ActionExecutor.run

    async def run(self: ActionExecutor, action_call):
        result = await run_action(self, action_call)
        runs = self.actions.get(action_call.get("next_action") or "")
        if isinstance(getattr(runs, "__self__", None), ValidationAction):
            # a form's slot validation: Rasa's FormAction counts every SlotSet in its response as
            # a slot the message filled, and would never let an unrelated question leave the form
            return result
        try:
            from actions.context import topic_slot_events

            slots = topic_slot_events(action_call, result)
        except Exception:  # noqa: BLE001 - a topic is never worth the citizen's answer
            log.exception("could not work out the topic after %s", action_call.get("next_action"))
            slots = []
        if slots:
            result["events"] = [*(result.get("events") or []), *slots]
        return result

    run.topic_slots = True  # type: ignore[attr-defined]
    ActionExecutor.run = run


def create_app(token: str, actions: str = "actions"):
    """The rasa_sdk app for ``actions`` with the secret checked before every route but /health."""
    from rasa_sdk.endpoint import create_app as create_sdk_app
    from sanic import response

    if not token:
        raise ValueError("the action server needs a shared secret")
    with_topic_slots()
    app = create_sdk_app(actions, cors_origins=None)
    expected = _digest(token)

    @app.middleware("request")
    async def require_secret(request):
        if request.path in OPEN_PATHS:
            return None
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(_digest(given.strip()), expected):
            return None
        return response.json({"error": "unauthorized: the shared secret is missing or wrong"},
                             status=401, headers={"WWW-Authenticate": 'Bearer realm="actions"'})

    @app.after_server_start
    async def start_retention(app, _loop):
        app.add_task(_retention())

    return app


async def _retention() -> None:
    from bot.core import bootstrap
    from bot.core.threads import in_thread

    while True:
        try:
            deleted = await in_thread(bootstrap.root().cases.purge)
            log.info("retention: deleted %s", deleted)
        except Exception as error:  # the database may be down for a while: try again later
            log.warning("retention failed (%s); next try in an hour", error.__class__.__name__)
        await asyncio.sleep(RETENTION_INTERVAL)


def start_metrics() -> bool:
    """The action server's /metrics (GONGKAI_ACTIONS_METRICS_PORT unset = off; a busy port is
    logged, not fatal)."""
    from bot.serving import metrics

    return metrics.serve(settings.actions.metrics_port, settings.guard.metrics_addr)


def main(argv: Optional[List[str]] = None) -> None:
    from rasa_sdk import utils
    from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME, DEFAULT_SERVER_PORT
    from rasa_sdk.plugin import plugin_manager

    parser = argparse.ArgumentParser(prog="python -m bot.serving.action_server",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=DEFAULT_SERVER_PORT)
    parser.add_argument("--host", default=settings.actions.host)
    parser.add_argument("--actions", default="actions")
    parser.add_argument("--logging-config-file")
    parser.add_argument("--loglevel", default=logging.INFO)
    args = parser.parse_args(argv)

    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), None,
                                 args.loglevel, args.logging_config_file)
    utils.update_sanic_log_level()
    start_metrics()
    app = create_app(action_token(), args.actions)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    log.info("action server on http://%s:%s (calls need the shared secret)", args.host, args.port)
    app.run(args.host, args.port, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
