"""``python -m bot.actions_launch <arguments of rasa_sdk>``: the action server (rasa_sdk, the same
server as ``rasa run actions``) with the process's Prometheus exporter started first, on
GONGKAI_ACTIONS_METRICS_PORT when it is set (actions/metrics.py defines the counters).
bot/servers.py starts the action server this way; the exporter used to start when the `actions`
package was imported, which made importing an action bind a port."""
from __future__ import annotations

from argparse import SUPPRESS
from typing import Optional, Sequence

METRICS_PORT_VARIABLE = "GONGKAI_ACTIONS_METRICS_PORT"


def start_metrics() -> bool:
    """The action server's /metrics (unset variable = off; a busy port is logged, not fatal)."""
    from bot import metrics

    return metrics.serve_from_env(METRICS_PORT_VARIABLE)


def main(argv: Optional[Sequence[str]] = None) -> None:
    from rasa_sdk.__main__ import main_from_args
    from rasa_sdk.endpoint import create_argument_parser

    parser = create_argument_parser()
    # `rasa run actions` spells this option --logging-config-file, rasa_sdk --logging-config_file
    parser.add_argument("--logging-config-file", dest="logging_config_file", help=SUPPRESS)
    args = parser.parse_args(argv)
    start_metrics()
    main_from_args(args)


if __name__ == "__main__":
    main()
