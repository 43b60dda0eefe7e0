"""What the course-track drills share in their checks: the course keeps its schedule and settings
as module globals (notebook cells), draws its noise inside the functions, and names its schedule
a, a_bar, B.

- :func:`globals_to` moves the learner's module-level tensors and ``device`` to the grading
  device, as the course's ``B = torch.linspace(...).to(device)`` does, so a file written for one
  device is graded on another.
- :func:`record_draws` records every random tensor drawn inside a call, whatever the API
  (``randn_like``, ``randn``, ``normal``, ``normal_``, …): the noise the learner used, so a random
  output is checked against it instead of against statistics.
- :func:`parameter_shapes` lists the shapes of the weights a learner's module builds, to name
  a layer sized for another design whatever its attribute names.
- :func:`course_terms` is the dictionary of schedule expressions the coefficient diagnoser names
  a learner's coefficient from, with the course's one-step-early noise scale √B_(t−1) added.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from drills.common.schedule_terms import schedule_terms
from engine.drills.toolkit.coefficients import Term

_RANDOM_OPS = {"randn", "randn_like", "normal", "normal_", "rand", "rand_like", "uniform_", "bernoulli", "bernoulli_",
               "randint", "randint_like", "random_", "exponential_", "multinomial", "randperm", "poisson"}


def globals_to(module: ModuleType, device: torch.device) -> None:
    """Move every tensor the learner's module holds at top level to ``device``, and point its
    ``device`` global (the course's ``device = torch.device(...)``) there."""
    for name, value in list(vars(module).items()):
        if isinstance(value, torch.Tensor):
            setattr(module, name, value.to(device))
        elif name == "device" and isinstance(value, torch.device):
            setattr(module, name, device)


class _Draws(TorchDispatchMode):
    def __init__(self) -> None:
        super().__init__()
        self.draws: list[tuple[str, torch.Tensor]] = []

    def __torch_dispatch__(self, func: Any, types: Any, args: tuple[Any, ...] = (), kwargs: dict[str, Any] | None = None) -> Any:
        result = func(*args, **(kwargs or {}))
        name = func.overloadpacket.__name__
        if name in _RANDOM_OPS and isinstance(result, torch.Tensor):
            self.draws.append((name, result.detach().clone()))
        return result


@contextmanager
def record_draws() -> Iterator[list[tuple[str, torch.Tensor]]]:
    """Every random tensor drawn inside the block, as (aten op name, a copy of the tensor), in order."""
    mode = _Draws()
    with mode:
        yield mode.draws


def parameter_shapes(learner_class: Any, cases: Any) -> dict[str, dict[str, list[int]]]:
    """The shapes in the state_dict the learner's class builds for each module case's constructor
    arguments, whatever its attribute names (a case whose __init__ raises is left out: the
    module ladder reports that)."""
    shapes = {}
    for case in cases:
        try:
            block = learner_class(*case.args)
        except Exception:  # noqa: BLE001 - the ladder reports a failing __init__; here it only leaves a case out
            continue
        shapes[case.name] = {key: list(value.shape) for key, value in block.state_dict().items()}
    return shapes


def course_terms(B: torch.Tensor, a: torch.Tensor, a_bar: torch.Tensor) -> list[Term]:
    """The schedule expressions a coefficient may equal, in float64 at every t: the lessons'
    dictionary (√ᾱ_t, 1/√α_t, β_t/√(1 − ᾱ_t), …, in the lessons' symbols: ᾱ is the course's a_bar,
    α its a, β its B) and the course's noise scale √β_(t−1), undefined at t = 0."""
    terms = schedule_terms({"alpha_bar": a_bar, "alphas": a, "betas": B})
    previous = torch.cat([torch.full((1,), float("nan"), dtype=torch.float64, device=B.device), B[:-1].double().sqrt()])
    return [*terms, Term("√β_({t}−1)", previous)]
