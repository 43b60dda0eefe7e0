"""Grading schedule_threshold (DDPM Q5 with the true numbers): first_step_below on hand-picked
ᾱ curves, then compare_schedules for several T and thresholds.

A catalogued variant is recognised only when it reproduces the learner's answer in every case
(a crash counts as an answer), so variants that agree on one curve never get confused.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from engine.drills.capture import entry
from engine.drills.compare import describe
from engine.drills.grading import Verdict, failed, passed
from reference import cosine_beta_schedule, first_step_below, linear_beta_schedule, precompute_schedule

RAISED = "raised"
LESSON_ANSWER = {"linear": 650, "cosine": 940}
SCHEDULES = {"linear": linear_beta_schedule, "cosine": cosine_beta_schedule}


def _alpha_bar(kind: str, T: int) -> torch.Tensor:
    return precompute_schedule(SCHEDULES[kind](T))["alpha_bar"]


# name: (label, ᾱ builder, threshold). One curve hits the threshold exactly (to tell < from <=),
# one starts below it (step 0) and one never reaches it (the answer is -1).
FIRST_STEP_CASES = {
    "linear_1000": ("the linear ᾱ for T=1000, threshold 0.01", lambda: _alpha_bar("linear", 1000), 0.01),
    "cosine_1000": ("the cosine ᾱ for T=1000, threshold 0.01", lambda: _alpha_bar("cosine", 1000), 0.01),
    "exact_hit": ("ᾱ = [1, 0.5, 0.25, 0.125, 0.0625], threshold 0.25", lambda: 0.5 ** torch.arange(5.0), 0.25),
    "below_at_start": ("ᾱ = [0.4, 0.3, 0.2, 0.1], threshold 0.5", lambda: torch.tensor([0.4, 0.3, 0.2, 0.1]), 0.5),
    "never": ("the linear ᾱ for T=150, threshold 0.1 (never below)", lambda: _alpha_bar("linear", 150), 0.1),
}
COMPARE_CASES = {"paper": (1000, 0.01), "mid": (400, 0.05), "course": (150, 0.1)}


def first_step_inputs(name: str, device: torch.device) -> tuple[torch.Tensor, float]:
    _, build, threshold = FIRST_STEP_CASES[name]
    return build().to(device), threshold


def probe(module, device, attempt):
    first = entry(module, "first_step_below")
    compare_schedules = entry(module, "compare_schedules")
    calls = {f"first.{name}": attempt(first, *first_step_inputs(name, device)) for name in FIRST_STEP_CASES}
    calls.update({f"compare.{name}": attempt(compare_schedules, *args) for name, args in COMPARE_CASES.items()})
    return calls


# ---- the catalogued ways of answering, each a learner-shaped first_step_below or compare_schedules


def _last_step_above(alpha_bar, threshold):
    step = -1
    for t, value in enumerate(alpha_bar.tolist()):
        if value >= threshold:
            step = t
    return step


def _one_indexed(alpha_bar, threshold):
    step = first_step_below(alpha_bar, threshold)
    return step + 1 if step >= 0 else -1


def _less_or_equal(alpha_bar, threshold):
    below = (alpha_bar <= threshold).nonzero()
    return int(below[0, 0]) if len(below) else -1


def _no_never_case(alpha_bar, threshold):
    return int((alpha_bar < threshold).nonzero()[0, 0])


def _argmax_without_guard(alpha_bar, threshold):
    return int(torch.argmax((alpha_bar < threshold).int()))


FIRST_STEP_VARIANTS = {
    "threshold.last_step_above": _last_step_above,
    "threshold.one_indexed": _one_indexed,
    "threshold.less_or_equal": _less_or_equal,
    "threshold.never_crashes": _no_never_case,
    "threshold.argmax_without_guard": _argmax_without_guard,
}


def comparing_with(first: Callable, of: str = "alpha_bar") -> Callable:
    """compare_schedules built on ``first`` and applied to the schedule entry ``of``."""

    def compare_schedules(T=1000, threshold=0.01):
        return {
            kind: first(precompute_schedule(schedule(T))[of], threshold) for kind, schedule in SCHEDULES.items()
        }

    return compare_schedules


def _lesson_answer(T=1000, threshold=0.01):
    return dict(LESSON_ANSWER)


COMPARE_VARIANTS = {
    **{key: comparing_with(variant) for key, variant in FIRST_STEP_VARIANTS.items()},
    "threshold.betas_not_alpha_bar": comparing_with(first_step_below, of="betas"),
    "threshold.lesson_numbers": _lesson_answer,
}


# ---- grading


def _as_int(captured: dict) -> int | None:
    """The step a call returned: a Python int, or (leniently, for the values) a 0-dim integer tensor."""
    if captured.get("kind") == "py" and type(captured["value"]) is int:
        return captured["value"]
    if captured.get("kind") == "tensor" and captured["data"].ndim == 0 and not captured["data"].is_floating_point():
        return int(captured["data"])
    return None


def _outcome(call: dict):
    """What a call answered: its step, a dict of steps, RAISED, or None when it is not readable."""
    if not call["ok"]:
        return RAISED
    value = call["value"]
    if value.get("kind") == "dict":
        steps = {key: _as_int(item) for key, item in value["items"].items()}
        return steps if set(steps) == set(LESSON_ANSWER) and None not in steps.values() else None
    return _as_int(value)


def _variant_outcome(variant: Callable, *args):
    try:
        return variant(*args)
    except Exception:  # noqa: BLE001 - a crashing variant answers "raised", like a crashing learner
        return RAISED


def _is_python_int(captured: dict) -> bool:
    return captured.get("kind") == "py" and type(captured["value"]) is int


def _first_step_layout(calls) -> Verdict | None:
    """Whether every answer of first_step_below is a Python int; None when it never answered."""
    answered = [calls[f"first.{name}"]["value"] for name in FIRST_STEP_CASES if calls[f"first.{name}"]["ok"]]
    for value in answered:
        if not _is_python_int(value):
            advice = "Turn a tensor index into an int with `int(...)` or `.item()`." if value.get("kind") == "tensor" else ""
            return failed(f"first_step_below should return a Python int, but it returned {describe(value)}.", advice)
    return passed("first_step_below returns a Python int") if answered else None


def _compare_layout(calls) -> Verdict | None:
    """Whether every answer of compare_schedules is {'linear': int, 'cosine': int}; None when it never answered."""
    answered = [calls[f"compare.{name}"]["value"] for name in COMPARE_CASES if calls[f"compare.{name}"]["ok"]]
    for value in answered:
        keys = sorted(value["items"]) if value.get("kind") == "dict" else None
        if keys != sorted(LESSON_ANSWER):
            shown = f"a dict with the keys {keys}" if keys is not None else describe(value)
            return failed(f"compare_schedules should return {{'linear': step, 'cosine': step}}; it returned {shown}.")
        if not all(_is_python_int(item) for item in value["items"].values()):
            return failed("compare_schedules should map 'linear' and 'cosine' to Python ints.", "Use `int(...)` or `.item()`.")
    return passed("compare_schedules returns {'linear': int, 'cosine': int}") if answered else None


def _layout_check(check_id: str, verdict: Verdict | None, first_error: str, grading) -> None:
    if verdict is None:
        grading.error(check_id, "shape", f"Your function raised on every input:\n{first_error}")
    else:
        grading.check(check_id, "shape", verdict)


def _first_error(calls, prefix: str) -> str:
    return next((call["error"] for name, call in calls.items() if name.startswith(prefix) and not call["ok"]), "")


def _grade_first_steps(calls, device, grading) -> dict:
    outcomes = {}
    for name, (label, _, _) in FIRST_STEP_CASES.items():
        alpha_bar, threshold = first_step_inputs(name, device)
        call, expected = calls[f"first.{name}"], first_step_below(alpha_bar, threshold)
        outcomes[name] = _outcome(call)
        check_id = f"formula.first_step_below.{name}"
        if not call["ok"]:
            grading.error(check_id, "formula", f"first_step_below raised on {label}:\n{call['error']}")
        elif outcomes[name] == expected:
            grading.check(check_id, "formula", passed(f"first_step_below on {label}: {expected}"))
        else:
            verdict = failed(f"first_step_below on {label} is wrong.", f"expected {expected}, got {outcomes[name]}")
            grading.check(check_id, "formula", verdict)
    return outcomes


def _grade_comparisons(calls, grading) -> dict:
    outcomes = {}
    for name, (T, threshold) in COMPARE_CASES.items():
        call, expected = calls[f"compare.{name}"], comparing_with(first_step_below)(T, threshold)
        outcomes[name] = _outcome(call)
        check_id, label = f"formula.compare_schedules.{name}", f"T={T}, threshold {threshold}"
        if not call["ok"]:
            grading.error(check_id, "formula", f"compare_schedules raised for {label}:\n{call['error']}", points=2.0)
        elif outcomes[name] == expected:
            grading.check(check_id, "formula", passed(f"compare_schedules for {label}: {expected}"), points=2.0)
        else:
            detail = f"expected {expected}\n     got {outcomes[name]}"
            verdict = failed(f"compare_schedules for {label} is wrong.", detail)
            grading.check(check_id, "formula", verdict, points=2.0)
    return outcomes


def _diagnose(first_outcomes, compare_outcomes, device, grading) -> None:
    for key, variant in FIRST_STEP_VARIANTS.items():
        answers = {name: _variant_outcome(variant, *first_step_inputs(name, device)) for name in FIRST_STEP_CASES}
        if answers == first_outcomes:
            grading.diagnose(key)
    for key, variant in COMPARE_VARIANTS.items():
        if all(compare_outcomes[name] == _variant_outcome(variant, *args) for name, args in COMPARE_CASES.items()):
            grading.diagnose(key)


def grade(calls, device, grading):
    _layout_check("shape.first_step_below", _first_step_layout(calls), _first_error(calls, "first."), grading)
    first_outcomes = _grade_first_steps(calls, device, grading)
    _layout_check("shape.compare_schedules", _compare_layout(calls), _first_error(calls, "compare."), grading)
    compare_outcomes = _grade_comparisons(calls, grading)
    if any(not check.passed for check in grading.checks):
        _diagnose(first_outcomes, compare_outcomes, device, grading)
    grading.catalog_check(all(call["ok"] for call in calls.values()))
