"""The one error type whose message is for people: what was refused and why, in Chinese, shown to
the agent or citizen as it is (the desk's pages and JSON answers, the command line)."""
from __future__ import annotations


class RefusedError(ValueError):
    """A request refused for a reason a person reads: ``message_zh``."""

    def __init__(self, message_zh: str):
        super().__init__(message_zh)
        self.message_zh = message_zh
