"""Records that remember where they were read, so an error can name the file and line.

``loads_with_lines`` parses JSON like ``json.loads`` but returns every object as a ``Located``
dict carrying the line its ``{`` is on; the CSV reader builds the same ``Located`` rows.
"""
from __future__ import annotations

import json
from bisect import bisect_right

# the json module's pure-Python internals, which typeshed does not declare
from json.decoder import JSONObject  # type: ignore[attr-defined]
from json.scanner import py_make_scanner  # type: ignore[attr-defined]
from typing import Any, Optional


class Located(dict):
    """A dict read from ``source`` (a file name, or None) at ``line`` (1-based, or None)."""

    def __init__(self, *args, line: Optional[int] = None, source: Optional[str] = None, **kw):
        super().__init__(*args, **kw)
        self.line = line
        self.source = source


def line_of(record: Any) -> Optional[int]:
    return getattr(record, "line", None)


def source_of(record: Any) -> Optional[str]:
    return getattr(record, "source", None)


def loads_with_lines(text: str, source: Optional[str] = None) -> Any:
    """``json.loads(text)`` with each object a ``Located``; raises ``json.JSONDecodeError``."""
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]

    def parse_object(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo=None):
        s, end = s_and_end  # end: just past the opening brace
        obj, new_end = JSONObject(
            s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo
        )
        return Located(obj, line=bisect_right(newlines, end - 1) + 1, source=source), new_end

    decoder = json.JSONDecoder()
    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    # the C scanner ignores parse_object; the pure-Python one calls it
    decoder.scan_once = py_make_scanner(decoder)  # type: ignore[attr-defined]
    return decoder.decode(text)
