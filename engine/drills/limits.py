"""The limits a learner's run is held to: memory (4 GB by default) and how it is written.

``--memory-limit`` and ``DRILL_MEMORY_LIMIT`` take a number with an optional unit: ``6``, ``6G``,
``512M`` (a bare number is gigabytes). No torch here: the CLI parses these before any grader starts.
"""

from __future__ import annotations

import os
import re

from engine.errors import UsageError

MEMORY_ENV = "DRILL_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = 4 * 1024**3
_UNITS = {"": 1024**3, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*", re.IGNORECASE)


def parse_memory_limit(text: str) -> int:
    """Bytes for ``text`` such as ``4``, ``4G``, ``4GB``, ``512M``; a UsageError when it is not one."""
    match = _SIZE.fullmatch(text)
    size = int(float(match.group(1)) * _UNITS[match.group(2).lower()]) if match else 0
    if size < 64 * 1024**2:
        raise UsageError(f"'{text}' is not a memory limit of at least 64 MB: write e.g. 4G or 512M.")
    return size


def memory_limit(requested: str | None = None) -> int:
    """The limit in bytes: ``requested`` (the flag), else $DRILL_MEMORY_LIMIT, else 4 GB."""
    text = requested or os.environ.get(MEMORY_ENV)
    return parse_memory_limit(text) if text else DEFAULT_MEMORY_LIMIT


def describe_bytes(count: int) -> str:
    """4 GB, 512 MB: a memory size as the learner reads it."""
    gib = count / 1024**3
    return f"{gib:g} GB" if gib >= 1 else f"{count / 1024**2:.0f} MB"


def memory_message(limit: int) -> str:
    return (
        f"Your code used more than {describe_bytes(limit)} of memory, the limit for a drill, and was stopped "
        f"(--memory-limit or ${MEMORY_ENV} sets another)."
    )
