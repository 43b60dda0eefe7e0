"""One run as the runner asks a grader for it, and the grader's answer: plain JSON, no torch.

Everything the run depends on is in the request (the device, the limits, where to log), so a
warm grader started earlier, in another environment, grades it exactly as a fresh one would.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

RESULT, USAGE_ERROR = "result", "usage_error"


@dataclass(frozen=True)
class Request:
    drill: str
    file: str
    device: str | None
    time_limit: float
    memory_limit: int
    log_dir: str

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str | bytes) -> Request:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("a request is a JSON object")
        return cls(**data)


def encode(message: dict[str, Any]) -> bytes:
    """One message on the wire: a JSON object on one line."""
    return json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n"
