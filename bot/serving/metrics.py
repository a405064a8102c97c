"""The Prometheus exporter of each process: the Rasa side's metrics are defined by the channel
guard (bot/serving/guard.py), the action server's in actions/metrics.py. Names and the fallback-rate
query are listed in docs/deployment.md."""
from __future__ import annotations

import logging
import threading
from prometheus_client import start_http_server

logger = logging.getLogger(__name__)

_started: set[int] = set()
_lock = threading.Lock()


def serve(port: int, addr: str = "127.0.0.1") -> bool:
    """Serves /metrics on `port` (once per process; 0 = off) at `addr` (both from
    bot.core.settings). A busy port is logged, not fatal: metrics must never stop the assistant.
    Called from a server's `main`, never on import."""
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

