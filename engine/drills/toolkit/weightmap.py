"""Mapping the reference's weights into a learner's whole model, whatever its module layout.

A learner who writes the lesson's architecture holds the same parameters as the reference, under
other names and in other containers. Which learner parameter plays which reference parameter is
read from what the two models do: each parameter's role is the operation that first consumes it
(a convolution's weight or bias, a norm's scale or shift, a linear layer's) with its shape, and
within one role the parameters are taken in the order the forward first uses them. When every
role holds as many parameters on both sides, the reference's values are copied across and the two
models must then compute the same function: the learner's exact output is comparable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

Shapes = tuple[tuple[int, ...], ...]
Use = tuple[str, str, Shapes]  # (parameter name, role, shapes of the operation's tensors)
_ROLES = {"convolution": "conv", "native_group_norm": "norm", "native_layer_norm": "norm", "native_batch_norm": "batch_norm",
          "_native_batch_norm_legit": "batch_norm", "_native_batch_norm_legit_no_training": "batch_norm"}


class _Uses(TorchDispatchMode):
    def __init__(self, parameters: dict[int, str]):
        # torch leaves this constructor unannotated, and mypy checks a super() call despite untyped_calls_exclude.
        super().__init__()  # type: ignore[no-untyped-call]
        self.parameters = parameters
        self.first_use: dict[str, tuple[str, tuple[tuple[int, ...], ...]]] = {}

    def __torch_dispatch__(self, func: Any, types: Any, args: tuple[Any, ...] = (), kwargs: dict[str, Any] | None = None) -> Any:
        name = func.overloadpacket.__name__
        # Every tensor the operation takes: a bias is told apart from another of its size by the
        # weight and the input it is used with.
        shapes = tuple(tuple(arg.shape) for arg in args if isinstance(arg, torch.Tensor))
        for position, arg in enumerate(args):
            parameter = self.parameters.get(id(arg)) if isinstance(arg, torch.Tensor) else None
            if parameter is not None and parameter not in self.first_use:
                self.first_use[parameter] = (f"{_ROLES.get(name, 'linear')}:{position}", shapes)
        return func(*args, **(kwargs or {}))


def parameter_roles(model: nn.Module, call: Callable[[], Any]) -> list[Use]:
    """``(parameter name, role, shapes)`` for every parameter ``call`` uses, in the order of first use:
    the operation's kind and the parameter's place in it, and the shapes of everything it took."""
    names = {id(parameter): name for name, parameter in model.named_parameters()}
    with torch.no_grad(), _Uses(names) as uses:
        call()
    return [(name, role, shape) for name, (role, shape) in uses.first_use.items()]


def mapping(reference: list[Use], learner: list[Use], learner_parameters: list[str]) -> dict[str, str] | None:
    """learner parameter name -> reference parameter name, or None when the two do not pair up."""
    if len(learner) != len(learner_parameters):
        return None  # a parameter the forward never uses has no role
    by_role: dict[tuple[str, Shapes], list[str]] = {}
    for name, role, shape in reference:
        by_role.setdefault((role, shape), []).append(name)
    pairs: dict[str, str] = {}
    taken: dict[tuple[str, Shapes], int] = {}
    for name, role, shape in learner:
        key = (role, shape)
        index = taken.get(key, 0)
        candidates = by_role.get(key, [])
        if index >= len(candidates):
            return None
        pairs[name] = candidates[index]
        taken[key] = index + 1
    if any(taken.get(key, 0) != len(names) for key, names in by_role.items()):
        return None
    return pairs


def copy_reference_weights(reference: nn.Module, learner: nn.Module, reference_call: Callable[[], Any],
                           learner_call: Callable[[], Any]) -> str | None:
    """Copy the reference's parameters into ``learner`` by role; None when done, else why it could not be."""
    ours = parameter_roles(reference, reference_call)
    theirs = parameter_roles(learner, learner_call)
    learner_names = [name for name, _ in learner.named_parameters()]
    pairs = mapping(ours, theirs, learner_names)
    if pairs is None:
        return "your model's parameters do not pair up with the reference's (same kinds of layers, same shapes, used in the same order)"
    reference_values = dict(reference.named_parameters())
    with torch.no_grad():
        for name, parameter in learner.named_parameters():
            parameter.copy_(reference_values[pairs[name]])
    return None
