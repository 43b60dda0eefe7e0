"""Grading a beta schedule case by case (shared by the linear and cosine schedule drills).

A schedule takes no tensor input, so every case is a call with plain arguments whose result
must be a float32 CPU tensor of shape (T,). Diagnosis compares the learner's tensor, whatever
its shape or dtype, with each catalogued variant computed on the same arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from engine.drills import compare

CPU = torch.device("cpu")
Variant = tuple[str, Callable[..., torch.Tensor]]


def probe_cases(fn, cases: dict, attempt) -> dict:
    return {name: attempt(fn, *args) for name, (_, args) in cases.items()}


def reproduces(captured: dict, expected: torch.Tensor, atol: float, rtol: float) -> bool:
    """Same shape, same dtype and the same values as ``expected``."""
    if captured.get("kind") != "tensor":
        return False
    data = captured["data"]
    same_layout = data.shape == expected.shape and captured["dtype"] == str(expected.dtype)
    return same_layout and compare.matches(data, expected, atol, rtol)


def diagnose(grading, captured: dict, args: tuple, variants: Sequence[Variant], atol: float, rtol: float) -> None:
    for key, variant in variants:
        if reproduces(captured, variant(*args), atol, rtol):
            grading.diagnose(key)


def grade_cases(
    calls: dict,
    grading,
    cases: dict,
    reference: Callable[..., torch.Tensor],
    variants: Sequence[Variant],
    atol: float,
    rtol: float,
) -> None:
    """``cases`` maps a case name to (a label for messages, the positional arguments)."""
    gradable = True
    for name, (label, args) in cases.items():
        call, T = calls[name], args[0]
        if not call["ok"]:
            grading.error(f"shape.{name}", "shape", f"Your function raised for {label}:\n{call['error']}")
            grading.skip(f"formula.{name}", "formula", "Not checked: your function raised.", points=2.0)
            gradable = False
            continue
        captured = call["value"]
        verdict = compare.layout(f"The betas for {label}", captured, (T,), torch.float32, CPU)
        if not grading.check(f"shape.{name}", "shape", verdict):
            diagnose(grading, captured, args, variants, atol, rtol)
            grading.skip(f"formula.{name}", "formula", "Not checked: fix the shape and dtype first.", points=2.0)
            gradable = False
            continue
        verdict = compare.values(f"The betas for {label}", captured["data"], reference(*args), atol, rtol)
        if not verdict.ok:
            diagnose(grading, captured, args, variants, atol, rtol)
        grading.check(f"formula.{name}", "formula", verdict, points=2.0)
    grading.catalog_check(gradable)
