"""The action server's Prometheus counters, served on GONGKAI_ACTIONS_METRICS_PORT when it is
set (bot/serving/action_server.py starts the exporter). Turns are counted on the Rasa side
(bot/serving/metrics.py); the fallback rate is gongkai_fallbacks_total / gongkai_turns_total (docs/deployment.md)."""
from __future__ import annotations

from prometheus_client import Counter

FALLBACKS = Counter("gongkai_fallbacks", "Messages the assistant could not answer directly: "
                    "not_understood (action_handle_fallback) or did_you_mean (FAQ candidates "
                    "offered instead of an answer)", ["kind"])
HANDOFFS = Counter("gongkai_handoffs", "Conversations handed to a person (or offered a callback "
                   "outside office hours), by reason", ["reason"])
CASE_LOOKUP_ERRORS = Counter("gongkai_case_lookup_errors", "Case look-ups that failed because the "
                             "case database was unreachable")
