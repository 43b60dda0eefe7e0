"""The quiz bank's computed facts: ``FACTS`` maps each name a question's ``fact`` may use to the
function that computes its answer. The engine finds this registry by name (``engine.quiz.facts``),
so the facts live here, beside the questions they answer, and only a bank check imports torch.
"""

from __future__ import annotations

from collections.abc import Callable

from quiz_bank.facts import course, ddpm, unet


def _merge(*registries: dict[str, Callable[..., str]]) -> dict[str, Callable[..., str]]:
    merged: dict[str, Callable[..., str]] = {}
    for registry in registries:
        clashes = sorted(merged.keys() & registry.keys())
        if clashes:
            raise ValueError(f"fact names defined twice: {', '.join(clashes)}")
        merged.update(registry)
    return merged


FACTS = _merge(ddpm.FACTS, unet.FACTS, course.FACTS)
