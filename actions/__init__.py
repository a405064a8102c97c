"""Custom actions of 公开助手, served by `rasa run actions` (rasa_sdk). One module per concern;
the logic they call lives in the `bot` package."""

import os as _os

if _os.environ.get("GONGKAI_ACTIONS_METRICS_PORT"):
    # only in the action server process: unit tests import this package without the variable
    from bot import metrics as _metrics

    _metrics.serve(int(_os.environ["GONGKAI_ACTIONS_METRICS_PORT"]),
                   _os.environ.get("GONGKAI_METRICS_ADDR", "127.0.0.1"))
