"""Which catalogued variants of the reference behave like the learner's code.

A variant is the reference with one catalogued mistake, a function of the same inputs. It
matches when it agrees with the learner's output in at least one case where both produced
values, and never behaves otherwise: it does not produce other values, raise where the learner's
code ran, or run where the learner's raised.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch

from engine.drills import compare

Output = torch.Tensor | tuple[Any, ...] | dict[str, Any] | None
Variant = tuple[str, Callable[..., Output]]
# One case: what the learner's code gave (None when it raised), and what each variant's forms give
# (a catalogued mistake may be written in several forms that give different outputs).
Case = tuple[Output, Mapping[str, Sequence[Output]]]


def agree(observed: Output, predicted: Output, atol: float, rtol: float = 1e-3, dtypes: bool = False) -> bool:
    """Same structure and shapes, values within tolerance (and the same dtypes when ``dtypes``)."""
    if isinstance(observed, torch.Tensor) and isinstance(predicted, torch.Tensor):
        same_layout = observed.shape == predicted.shape and (not dtypes or observed.dtype == predicted.dtype)
        return same_layout and compare.matches(observed, predicted.to(observed.device), atol=atol, rtol=rtol)
    if isinstance(observed, tuple | list) and isinstance(predicted, tuple | list) and len(observed) == len(predicted):
        return all(agree(a, b, atol, rtol, dtypes) for a, b in zip(observed, predicted))
    if isinstance(observed, dict) and isinstance(predicted, dict) and observed.keys() == predicted.keys():
        return all(agree(observed[key], predicted[key], atol, rtol, dtypes) for key in observed)
    return False


def matching_keys(cases: Sequence[Case], atol: float = 1e-4, rtol: float = 1e-3, dtypes: bool = False) -> list[str]:
    """The keys of the variants that behave like the learner's code in every case, in catalog order."""
    keys = list(dict.fromkeys(key for _, predicted in cases for key in predicted))
    found = []
    for key in keys:
        agreements, conflicts = 0, 0
        for observed, predicted in cases:
            forms = predicted.get(key, [])
            if observed is None and any(form is None for form in forms):
                continue
            if observed is not None and any(form is not None and agree(observed, form, atol, rtol, dtypes) for form in forms):
                agreements += 1
            else:
                conflicts += 1
        if agreements and not conflicts:
            found.append(key)
    return found


def run_variant(variant: Callable[..., Output], *args: Any) -> Output:
    """A variant's result, or None when it raises the way a shape mistake does."""
    try:
        with torch.no_grad():
            return variant(*args)
    except (RuntimeError, ValueError, IndexError, TypeError):
        return None


def predictions(variants: Sequence[Variant], *args: Any) -> dict[str, list[Output]]:
    """Every variant's results on ``args``, one per form, by key."""
    results: dict[str, list[Output]] = {}
    for key, variant in variants:
        results.setdefault(key, []).append(run_variant(variant, *args))
    return results
