"""Recording what a network does to its tensors, operation by operation, whatever its module layout.

A U-Net can be written with named attributes, ``ModuleList``\\ s, a ``ModuleDict`` and a functional
``forward``, a loop, or recursion; what it does to the data is the same. :func:`record_ops` runs a
call under a ``TorchDispatchMode`` and keeps, for every aten operation, its name, the shapes that
went in and came out, the arguments that say what kind of operation it was (a convolution's stride
and whether it is transposed), and the module the call was inside. That plain list crosses the
process boundary; the grader turns it into a shape flow (:func:`flow`), finds where two flows part,
and names the operation that resamples (:func:`resampling`).

:func:`frozen_at` replays a call with one operation's output held at a recorded value: with the
bottleneck's output held, whatever still moves the output must have come around it, through the
skips.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

Shape = tuple[int, ...]
# Aten ops that only look at, move or view data without computing anything new.
_QUIET = {"detach", "alias", "lift_fresh", "_to_copy", "copy_", "empty", "empty_like", "zeros", "ones", "full", "arange",
          "_local_scalar_dense", "is_nonzero", "item", "zeros_like", "ones_like", "randn", "randn_like", "normal_", "uniform_"}


@dataclass(frozen=True)
class Op:
    """One recorded operation, as plain data."""

    name: str  # aten op without overload: "convolution", "cat", "max_pool2d_with_indices", …
    inputs: tuple[Shape, ...]
    output: Shape  # the first tensor it returned
    module: str  # the innermost module (dotted name in the traced model) whose call ran it, "" for none
    stride: int = 1  # for convolutions
    transposed: bool = False

    def to_list(self) -> list[Any]:
        return [self.name, [list(shape) for shape in self.inputs], list(self.output), self.module, self.stride, self.transposed]

    @classmethod
    def from_list(cls, data: Sequence[Any]) -> Op:
        name, inputs, output, module, stride, transposed = data
        return cls(name, tuple(tuple(shape) for shape in inputs), tuple(output), module, int(stride), bool(transposed))


class _Recorder(TorchDispatchMode):
    def __init__(self, stack: list[str], replace: dict[int, torch.Tensor] | None = None, limit: int = 20_000):
        # torch leaves this constructor unannotated, and mypy checks a super() call despite untyped_calls_exclude.
        super().__init__()  # type: ignore[no-untyped-call]
        self.ops: list[Op] = []
        self.outputs: dict[int, torch.Tensor] = {}
        self.keep: set[int] = set()
        self.stack = stack
        self.replace = replace or {}
        self.limit = limit

    def __torch_dispatch__(self, func: Any, types: Any, args: tuple[Any, ...] = (), kwargs: dict[str, Any] | None = None) -> Any:
        result = func(*args, **(kwargs or {}))
        name = func.overloadpacket.__name__
        if name in _QUIET or len(self.ops) >= self.limit:
            return result
        outputs = [item for item in (result if isinstance(result, tuple | list) else [result]) if isinstance(item, torch.Tensor)]
        if not outputs:
            return result
        index = len(self.ops)
        if index in self.replace:
            result = self.replace[index] if not isinstance(result, tuple | list) else (self.replace[index], *result[1:])
        if index in self.keep:
            self.outputs[index] = outputs[0].detach().clone()
        stride, transposed = 1, False
        if name == "convolution":
            stride, transposed = int(args[3][0]), bool(args[6])
        shapes = tuple(tuple(arg.shape) for arg in args if isinstance(arg, torch.Tensor))
        self.ops.append(Op(name, shapes, tuple(outputs[0].shape), self.stack[-1] if self.stack else "", stride, transposed))
        return result


@contextmanager
def _module_stack(model: nn.Module | None) -> Iterator[list[str]]:
    """A list that holds the dotted names of the model's modules whose forward is running, innermost last."""
    stack: list[str] = []
    if model is None:
        yield stack
        return
    names = {id(module): name for name, module in model.named_modules()}
    handles = []

    def enter(module: nn.Module, _inputs: Any) -> None:
        stack.append(names.get(id(module), stack[-1] if stack else ""))

    def leave(_module: nn.Module, _inputs: Any, _output: Any) -> None:
        if stack:
            stack.pop()

    for module in model.modules():
        handles.append(module.register_forward_pre_hook(enter))
        handles.append(module.register_forward_hook(leave))
    try:
        yield stack
    finally:
        for handle in handles:
            handle.remove()


def record_ops(call: Callable[[], Any], model: nn.Module | None = None) -> tuple[Any, list[Op]]:
    """Run ``call()`` and return its result with the operations it ran."""
    with _module_stack(model) as stack, _Recorder(stack) as recorder:
        result = call()
    return result, recorder.ops


def frozen_at(call: Callable[[], Any], index: int, value: torch.Tensor, model: nn.Module | None = None) -> Any:
    """``call()`` with the output of its ``index``-th recorded operation replaced by ``value``."""
    with _module_stack(model) as stack, _Recorder(stack, replace={index: value}):
        return call()


def output_of(call: Callable[[], Any], index: int, model: nn.Module | None = None) -> torch.Tensor | None:
    """The output of ``call()``'s ``index``-th recorded operation."""
    with _module_stack(model) as stack:
        # Entered apart from its construction: torch types the mode's __enter__ as returning Any.
        recorder = _Recorder(stack)
        with recorder:
            recorder.keep = {index}
            call()
    return recorder.outputs.get(index)


# ---- reading a recorded list in the grader ------------------------------------------------------


@dataclass(frozen=True)
class FlowStep:
    """One change of the feature map's shape, and the operation that made it."""

    shape: Shape
    op: Op

    @property
    def stage(self) -> str:
        return self.op.module.split(".")[0] if self.op.module else "forward"


def _is_feature_map(shape: Shape, batch: int) -> bool:
    # (B, C, 1, 1) tensors are per-channel values broadcast over a map (a timestep), not maps.
    return len(shape) == 4 and shape[0] == batch and shape[2] * shape[3] > 1


def flow(ops: Sequence[Op], batch: int, start: Shape | None = None) -> list[FlowStep]:
    """The feature maps' shapes, in the order the operations produced them, each change kept once,
    after the input's shape ``start`` when given (so that a first operation that resamples shows)."""
    steps: list[FlowStep] = [FlowStep(start, Op("input", (), start, ""))] if start is not None else []
    for op in ops:
        if _is_feature_map(op.output, batch) and (not steps or steps[-1].shape != op.output):
            steps.append(FlowStep(op.output, op))
    return steps


def kind(op: Op) -> str:
    """What an operation does, in a learner's words."""
    if op.name == "convolution":
        if op.transposed:
            return "transposed conv"
        return "strided conv" if op.stride > 1 else "conv"
    names = {
        "cat": "concatenate",
        "max_pool2d_with_indices": "max-pool",
        "max_pool2d": "max-pool",
        "avg_pool2d": "average-pool",
        "adaptive_avg_pool2d": "average-pool",
        "upsample_nearest2d": "nearest upsample",
        "_upsample_nearest_exact2d": "nearest upsample",
        "upsample_bilinear2d": "bilinear upsample",
        "_upsample_bilinear2d_aa": "bilinear upsample",
        "upsample_bicubic2d": "bicubic upsample",
        "pixel_unshuffle": "space-to-depth",
        "pixel_shuffle": "depth-to-space",
    }
    if op.name in names:
        return names[op.name]
    if op.inputs and len(op.inputs[0]) == 4 and len(op.output) == 4 and _space_to_depth(op.inputs[0], op.output):
        return "space-to-depth"
    return op.name


def _space_to_depth(before: Shape, after: Shape) -> bool:
    return after[1] == 4 * before[1] and 2 * after[2] == before[2] and 2 * after[3] == before[3]


def resampling(steps: Sequence[FlowStep]) -> list[tuple[str, FlowStep]]:
    """Each step that changes the spatial size, with "down" or "up" (a reshape chain that does
    space-to-depth counts as the final reshape's step)."""
    found = []
    for before, after in pairwise(steps):
        h0, w0, h1, w1 = before.shape[2], before.shape[3], after.shape[2], after.shape[3]
        if h1 * w1 < h0 * w0:
            found.append(("down", after))
        elif h1 * w1 > h0 * w0:
            found.append(("up", after))
    return found


def resampling_kind(before: FlowStep, after: FlowStep) -> str:
    """The kind of the operation that took the map from ``before`` to ``after``."""
    if after.op.name in ("view", "_unsafe_view", "reshape", "clone") and _space_to_depth(before.shape, after.shape):
        return "space-to-depth"
    return kind(after.op)


def bottleneck_index(ops: Sequence[Op], batch: int) -> int | None:
    """The index of the last operation at the smallest resolution before the first one that makes a
    feature map larger again: the bottleneck's output, whatever the code is called. None when the
    network never goes down and up again (then there is nothing to hold fixed)."""
    maps = [(index, op.output[2] * op.output[3]) for index, op in enumerate(ops) if _is_feature_map(op.output, batch)]
    if not maps:
        return None
    smallest = min(area for _, area in maps)
    reached = next(position for position, (_, area) in enumerate(maps) if area == smallest)
    rising = next((position for position in range(reached, len(maps)) if maps[position][1] > smallest), None)
    if rising is None:
        return None
    return max(index for index, area in maps[reached:rising] if area == smallest)
