"""The Prometheus exporter of each process: the Rasa side's metrics are defined by the channel
guard (bot/serving/guard.py), the action server's in actions/metrics.py. Names and the fallback-rate
query are listed in docs/deployment.md."""
from __future__ import annotations

import logging
import os
import threading
from typing import Mapping

from prometheus_client import start_http_server

logger = logging.getLogger(__name__)

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


def serve_from_env(port_variable: str, env: Mapping[str, str] = os.environ) -> bool:
    """Serves /metrics on the port named by `port_variable` (unset or 0 = off), on the address in
    GONGKAI_METRICS_ADDR (default loopback). Called from a server's `main`, never on import."""
    try:
        port = int(env.get(port_variable, "").strip() or 0)
    except ValueError:
        logger.error("metrics not served: %s=%r is not a port number", port_variable,
                     env.get(port_variable))
        return False
    return serve(port, env.get("GONGKAI_METRICS_ADDR", "127.0.0.1"))
