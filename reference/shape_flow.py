"""Record the order and shapes in which a model's stages produce their outputs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import torch
from torch import nn

Shape = tuple[int, ...]


@dataclass(frozen=True)
class FlowStep:
    """One stage's output: its dotted module name and the shape of each tensor it returned."""

    name: str
    shapes: tuple[Shape, ...]


def _shapes_of(output: object) -> tuple[Shape, ...]:
    if isinstance(output, torch.Tensor):
        return (tuple(output.shape),)
    if isinstance(output, (tuple, list)):
        return tuple(shape for item in output for shape in _shapes_of(item))
    return ()


def shape_flow(model: nn.Module, *inputs: object, names: Iterable[str] | None = None) -> list[FlowStep]:
    """Run ``model(*inputs)`` without autograd and return its stages in the order they finished.

    By default the stages are the model's direct children; pass dotted ``names`` to watch
    deeper modules. A module called twice appears twice.
    """
    modules = dict(model.named_modules())
    watched = list(names) if names is not None else [name for name, _ in model.named_children()]
    flow: list[FlowStep] = []
    handles = [
        modules[name].register_forward_hook(lambda _m, _i, out, name=name: flow.append(FlowStep(name, _shapes_of(out))))
        for name in watched
    ]
    try:
        with torch.no_grad():
            model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
    return flow


def parameter_count(model: nn.Module) -> int:
    """The number of scalar parameters of a model."""
    return sum(p.numel() for p in model.parameters())
