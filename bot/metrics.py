"""Prometheus metrics of the Rasa side (the channel guard, bot/guard.py) and the exporter that
serves them. The action server has its own counters (actions/metrics.py). Names and the
fallback-rate query are listed in docs/deployment.md."""
from __future__ import annotations

import logging
import threading

from prometheus_client import Counter, Histogram, start_http_server

logger = logging.getLogger(__name__)

TURNS = Counter("gongkai_turns", "Citizen messages received, by channel and outcome "
                "(ok, apology, rate_limited, too_long)", ["channel", "outcome"])
TURN_SECONDS = Histogram("gongkai_turn_seconds", "Time from receiving a message to the last reply",
                         ["channel"], buckets=(0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60))

_started: set[int] = set()
_lock = threading.Lock()


def serve(port: int, addr: str = "127.0.0.1") -> bool:
    """Serves /metrics on `port` (once per process; 0 = off). A busy port is logged, not fatal:
    metrics must never stop the assistant."""
    if port <= 0:
        return False
    with _lock:
        if port in _started:
            return True
        try:
            start_http_server(port, addr=addr)
        except OSError as error:
            logger.error("metrics not served: port %s unavailable (%s)", port, error)
            return False
        _started.add(port)
        logger.info("Prometheus metrics on http://%s:%s/metrics", addr, port)
        return True
