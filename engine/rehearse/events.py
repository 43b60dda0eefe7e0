"""What the rehearsal's child process reports, one JSON object per line (torch-free).

The child writes each event as it happens on its protocol channel; the parent reads them with
:func:`parse`, which ignores anything that is not a well-formed event. Every event has a field
``event`` naming its kind; the rest are the dataclasses' fields. Pixels travel as base64.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from engine.rehearse.notebook import Feedback


@dataclass(frozen=True)
class Checked:
    """The blanks were checked; nothing trains unless ``passed``."""

    feedback: list[Feedback]
    passed: bool
    parameters: int | None = None
    kind: str = field(default="checked", init=False)


@dataclass(frozen=True)
class Progress:
    step: int
    steps: int
    loss: float
    elapsed_s: float
    left_s: float
    kind: str = field(default="progress", init=False)


@dataclass(frozen=True)
class Trained:
    steps: int
    loss: float
    elapsed_s: float
    stopped_by: str
    kind: str = field(default="trained", init=False)


@dataclass(frozen=True)
class Sampling:
    """The grader's call for one digit is under way."""

    digit: int
    kind: str = field(default="sampling", init=False)


@dataclass(frozen=True)
class Sampled:
    pixels: bytes  # 50 × 28 × 28, 0–255, in the grader's order (5 per digit)
    elapsed_s: float
    kind: str = field(default="sampled", init=False)


@dataclass(frozen=True)
class Classified:
    predictions: list[list[int]]
    accuracy: float
    passed: bool
    kind: str = field(default="classified", init=False)


@dataclass(frozen=True)
class Failed:
    """The rehearsal cannot go on: the learner's code raised, diverged or returned the wrong shape."""

    stage: str
    message: str
    kind: str = field(default="failed", init=False)


Event = Checked | Progress | Trained | Sampling | Sampled | Classified | Failed
_KINDS: dict[str, type] = {
    "checked": Checked, "progress": Progress, "trained": Trained, "sampling": Sampling,
    "sampled": Sampled, "classified": Classified, "failed": Failed,
}


def encode(event: Event) -> str:
    data: dict[str, Any] = asdict(event)
    data["event"] = data.pop("kind")
    if isinstance(event, Sampled):
        data["pixels"] = base64.b64encode(event.pixels).decode("ascii")
    return json.dumps(data)


def parse(line: str) -> Event | None:
    """The event on ``line``, or None for anything else."""
    try:
        data = json.loads(line)
        kind = _KINDS[data.pop("event")]
        if kind is Checked:
            data["feedback"] = [Feedback.from_dict(item) for item in data["feedback"]]
        if kind is Sampled:
            data["pixels"] = base64.b64decode(data["pixels"])
        event: Event = kind(**data)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return event
