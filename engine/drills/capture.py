"""What the sandboxed child records of the learner's code: plain data and CPU tensors only.

The record crosses the process boundary through ``torch.save`` and is read back with
``torch.load(weights_only=True)``, so nothing the learner returns can run code in the grader.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from engine.drills.records import CallRecord, Capture

LEARNER_MODULE = "submission"


class MissingEntry(Exception):
    """The learner's file lacks the function or class the drill asks for."""


def entry(module: object, name: str) -> Any:
    """``name`` from the learner's module: whatever they defined there, unknown until it is called."""
    try:
        return getattr(module, name)
    except AttributeError:
        raise MissingEntry(f"Your file does not define `{name}`. Keep the name and signature of the starter.") from None


def capture(value: object) -> Capture:
    """A transferable description of a value the learner's code produced."""
    if isinstance(value, torch.Tensor):
        return {
            "kind": "tensor",
            "data": value.detach().to("cpu").clone(),
            "dtype": str(value.dtype),
            "device": str(value.device),
            "requires_grad": bool(value.requires_grad),
            "grad_fn": value.grad_fn is not None,
        }
    if isinstance(value, (tuple, list)):
        return {"kind": "seq", "type": type(value).__name__, "items": [capture(item) for item in value]}
    if isinstance(value, dict):
        return {"kind": "dict", "items": {str(key): capture(item) for key, item in value.items()}}
    if value is None or isinstance(value, (bool, int, float, str)):
        return {"kind": "py", "value": value}
    return {"kind": "other", "type": type(value).__name__}


def learner_traceback(error: BaseException, learner_file: str) -> str:
    """The traceback cut down to the frames of the learner's own file, with its line numbers."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if Path(frame.filename) == Path(learner_file)]
    lines = [f"  line {frame.lineno}, in {frame.name}\n    {(frame.line or '').strip()}" for frame in frames]
    summary = f"{type(error).__name__}: {error}"
    return "\n".join([*lines, summary]) if lines else summary


class Attempt:
    """Calls into the learner's code, catching ordinary exceptions per call."""

    def __init__(self, learner_file: str):
        self.learner_file = learner_file

    def __call__(self, fn: Callable[..., object], *args: Any, **kwargs: Any) -> CallRecord:
        try:
            return {"ok": True, "value": capture(fn(*args, **kwargs))}
        except Exception as error:  # noqa: BLE001 - any failure of the learner's code is reported, not raised
            return {"ok": False, "error": learner_traceback(error, self.learner_file), "exception": type(error).__name__}
