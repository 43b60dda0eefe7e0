"""The typed records a drill's probe sends from the sandboxed child to the grader.

They cross the process boundary through ``torch.save`` and come back through
``torch.load(weights_only=True)``: plain containers, numbers, strings and CPU tensors only, so
nothing the learner returns can run code in the grader.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypedDict

if TYPE_CHECKING:
    import torch


class TensorCapture(TypedDict):
    kind: Literal["tensor"]
    data: torch.Tensor  # detached, on the CPU
    dtype: str
    device: str
    requires_grad: bool
    grad_fn: bool


class SeqCapture(TypedDict):
    kind: Literal["seq"]
    type: str  # "tuple" or "list"
    items: list[Capture]


class DictCapture(TypedDict):
    kind: Literal["dict"]
    items: dict[str, Capture]


class PyCapture(TypedDict):
    kind: Literal["py"]
    value: bool | int | float | str | None


class OtherCapture(TypedDict):
    kind: Literal["other"]
    type: str


Capture = TensorCapture | SeqCapture | DictCapture | PyCapture | OtherCapture


class CallOk(TypedDict):
    ok: Literal[True]
    value: Capture


class CallFailed(TypedDict):
    ok: Literal[False]
    error: str  # the traceback cut to the learner's own frames
    exception: str


CallRecord = CallOk | CallFailed

# What a probe returns: drill-specific, keyed by case, made of the records above and plain data.
ProbeRecord = Mapping[str, Any]
