"""Grading schedule_threshold (DDPM Q5 with the true numbers): first_step_below on hand-picked
ᾱ curves, then compare_schedules for several T and thresholds.

first_step_below is explained by the ways of answering that behave like it on every curve (a crash
counts as an answer): the catalog's, then a few open ones (a count of the steps below, the step
closest to the threshold). compare_schedules is judged by what it adds: the probe also runs the
learner's own first_step_below on the true ᾱ of each schedule, so a compare_schedules that only
inherits its helper's mistake is not blamed twice. One with a mistake of its own is explained by
the quantity it searched (√ᾱ_t, α_t, 1 − Σβ, …, the one that reproduces all its answers and no
other does) or by an argument it ignores (its answers are those for the default T or threshold).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

import torch

from engine.drills.capture import Attempt, entry
from engine.drills.compare import describe
from engine.drills.grading import Grading, Verdict, failed, passed
from engine.drills.plugin import DrillChecks
from engine.drills.records import Capture, ProbeRecord
from engine.drills.results import Diagnosis
from engine.drills.toolkit import layouts
from reference import cosine_beta_schedule, first_step_below, linear_beta_schedule, precompute_schedule

AREA = "threshold"
RAISED = "raised"
LESSON_ANSWER = {"linear": 650, "cosine": 940}
SCHEDULES: dict[str, Callable[[int], torch.Tensor]] = {"linear": linear_beta_schedule, "cosine": cosine_beta_schedule}
DEFAULT_T, DEFAULT_THRESHOLD = 1000, 0.01
Outcome = Any  # an int, a dict of ints, RAISED, or None when the answer is not readable


def _schedule(kind: str, T: int) -> dict[str, torch.Tensor]:
    return precompute_schedule(SCHEDULES[kind](T))


# name: (label, ᾱ builder, threshold). One curve hits the threshold exactly (to tell < from <=),
# one starts below it (step 0), one never reaches it (the answer is -1), and in one the last step
# above lies closer to the threshold than the first step below.
FIRST_STEP_CASES: dict[str, tuple[str, Callable[[], torch.Tensor], float]] = {
    "linear_1000": ("the linear ᾱ for T=1000, threshold 0.01", lambda: _schedule("linear", 1000)["alpha_bar"], 0.01),
    "cosine_1000": ("the cosine ᾱ for T=1000, threshold 0.01", lambda: _schedule("cosine", 1000)["alpha_bar"], 0.01),
    "exact_hit": ("ᾱ = [1, 0.5, 0.25, 0.125, 0.0625], threshold 0.25", lambda: 0.5 ** torch.arange(5.0), 0.25),
    "below_at_start": ("ᾱ = [0.4, 0.3, 0.2, 0.1], threshold 0.5", lambda: torch.tensor([0.4, 0.3, 0.2, 0.1]), 0.5),
    "never": ("the linear ᾱ for T=150, threshold 0.1 (never below)", lambda: _schedule("linear", 150)["alpha_bar"], 0.1),
    "near_miss": ("ᾱ = [1, 0.7, 0.26, 0.1], threshold 0.25", lambda: torch.tensor([1.0, 0.7, 0.26, 0.1]), 0.25),
}
COMPARE_CASES = {"paper": (1000, 0.01), "mid": (400, 0.05), "course": (150, 0.1)}


def first_step_inputs(name: str, device: torch.device) -> tuple[torch.Tensor, float]:
    _, build, threshold = FIRST_STEP_CASES[name]
    return build().to(device), threshold


# ---- ways of answering first_step_below: the catalog's, then open ones with their explanation ------


def _last_step_above(alpha_bar, threshold):
    above = (alpha_bar >= threshold).nonzero()
    return int(above[-1, 0]) if len(above) else -1


def _last_step_above_guarded(alpha_bar, threshold):
    step = first_step_below(alpha_bar, threshold)
    return step - 1 if step > 0 else -1


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


FIRST_STEP_VARIANTS: tuple[tuple[str, Callable[[torch.Tensor, float], int]], ...] = (
    ("threshold.last_step_above", _last_step_above),
    ("threshold.last_step_above", _last_step_above_guarded),
    ("threshold.one_indexed", _one_indexed),
    ("threshold.less_or_equal", _less_or_equal),
    ("threshold.never_crashes", _no_never_case),
    ("threshold.argmax_without_guard", _argmax_without_guard),
)


def _count_below(alpha_bar, threshold):
    count = int((alpha_bar < threshold).sum())
    return count if count else -1


def _closest(alpha_bar, threshold):
    return int(torch.argmin((alpha_bar - threshold).abs())) if bool((alpha_bar < threshold).any()) else -1


OPEN_FIRST_STEP: tuple[tuple[Callable[[torch.Tensor, float], int], Diagnosis], ...] = (
    (_count_below, Diagnosis(
        f"{AREA}.counts_below",
        "How many steps are below, not which step is first",
        "Your first_step_below answers the number of steps with ᾱ_t below the threshold (a sum of the mask). "
        "The question is the index of the first of them.",
        "Take the first index where the mask holds: `(alpha_bar < threshold).nonzero()[0]`, or -1 when there is none.",
    )),
    (_closest, Diagnosis(
        f"{AREA}.closest_value",
        "The step closest to the threshold, not the first below it",
        "Your first_step_below answers the step whose ᾱ_t is nearest the threshold (argmin of |ᾱ_t − threshold|). "
        "That step may still be above the threshold; the question is the first step strictly below it.",
        "Search the mask `alpha_bar < threshold` for its first True instead of minimising a distance.",
    )),
)


# ---- ways of answering compare_schedules --------------------------------------------------------


def comparing(quantity: Callable[[dict[str, torch.Tensor]], torch.Tensor] = lambda s: s["alpha_bar"],
              fixed_T: int | None = None, fixed_threshold: float | None = None) -> Callable[[int, float], dict[str, int]]:
    """compare_schedules searching ``quantity`` of each schedule, with T or the threshold fixed if given."""

    def compare_schedules(T: int = DEFAULT_T, threshold: float = DEFAULT_THRESHOLD) -> dict[str, int]:
        T = fixed_T or T
        threshold = fixed_threshold or threshold
        return {kind: first_step_below(quantity(_schedule(kind, T)), threshold) for kind in SCHEDULES}

    return compare_schedules


def _lesson_answer(T: int = DEFAULT_T, threshold: float = DEFAULT_THRESHOLD) -> dict[str, int]:
    return dict(LESSON_ANSWER)


COMPARE_VARIANTS: tuple[tuple[str, Callable[[int, float], dict[str, int]]], ...] = (
    ("threshold.betas_not_alpha_bar", comparing(lambda s: s["betas"])),
    ("threshold.lesson_numbers", _lesson_answer),
)

# What a learner may search instead of ᾱ_t; a quantity is named only when no other one gives the same answers.
QUANTITIES: tuple[tuple[str, Callable[[dict[str, torch.Tensor]], torch.Tensor]], ...] = (
    ("ᾱ_t", lambda s: s["alpha_bar"]),
    ("√ᾱ_t", lambda s: s["sqrt_alpha_bar"]),
    ("α_t = 1 − β_t", lambda s: s["alphas"]),
    ("1 − ᾱ_t", lambda s: 1 - s["alpha_bar"]),
    ("√(1 − ᾱ_t)", lambda s: s["sqrt_one_minus_alpha_bar"]),
    ("1 − (β_0 + … + β_t)", lambda s: 1 - torch.cumsum(s["betas"], dim=0)),
    ("β_t", lambda s: s["betas"]),
)


# ---- reading the answers ------------------------------------------------------------------------


def _as_int(captured: Capture) -> int | None:
    """The step a call returned: a Python int, or (leniently, for the values) a 0-dim integer tensor."""
    if captured["kind"] == "py" and type(captured["value"]) is int:
        return captured["value"]
    if captured["kind"] == "tensor" and captured["data"].ndim == 0 and not captured["data"].is_floating_point():
        return int(captured["data"])
    return None


def _outcome(call: Mapping[str, Any]) -> Outcome:
    """What a call answered: its step, a dict of steps, RAISED, or None when it is not readable."""
    if not call["ok"]:
        return RAISED
    value = call["value"]
    if value["kind"] == "dict":
        steps = {key: _as_int(item) for key, item in value["items"].items()}
        return steps if set(steps) == set(LESSON_ANSWER) and None not in steps.values() else None
    return _as_int(value)


def _answer(function: Callable[..., Any], *args: Any) -> Outcome:
    try:
        return function(*args)
    except Exception:  # noqa: BLE001 - a crashing way of answering answers "raised", like a crashing learner
        return RAISED


def _is_python_int(captured: Capture) -> bool:
    return captured["kind"] == "py" and type(captured["value"]) is int


class ScheduleThreshold(DrillChecks):
    def probe(self, module: ModuleType, device: torch.device, attempt: Attempt) -> ProbeRecord:
        first = entry(module, "first_step_below")
        compare_schedules = entry(module, "compare_schedules")
        calls = {f"first.{name}": attempt(first, *first_step_inputs(name, device)) for name in FIRST_STEP_CASES}
        calls.update({f"compare.{name}": attempt(compare_schedules, *args) for name, args in COMPARE_CASES.items()})
        # The learner's own first_step_below on the true ᾱ: what compare_schedules should answer with it.
        for name, (T, threshold) in COMPARE_CASES.items():
            for kind in SCHEDULES:
                calls[f"own.{name}.{kind}"] = attempt(first, _schedule(kind, T)["alpha_bar"].to(device), threshold)
        return calls

    def grade(self, record: ProbeRecord, device: torch.device, grading: Grading) -> None:
        self._layout_check("shape.first_step_below", self._first_step_layout(record), record, "first.", grading)
        first = self._grade_first_steps(record, device, grading)
        self._layout_check("shape.compare_schedules", self._compare_layout(record), record, "compare.", grading)
        compared = self._grade_comparisons(record, grading)
        if not grading.all_passed():
            self._diagnose(record, first, compared, device, grading)

    # ---- checks ----------------------------------------------------------------------------------

    @staticmethod
    def _first_step_layout(record: ProbeRecord) -> Verdict | None:
        """Whether every answer of first_step_below is a Python int; None when it never answered."""
        answered = [record[f"first.{name}"]["value"] for name in FIRST_STEP_CASES if record[f"first.{name}"]["ok"]]
        for value in answered:
            if not _is_python_int(value):
                advice = "Turn a tensor index into an int with `int(...)` or `.item()`." if value["kind"] == "tensor" else ""
                return failed(f"first_step_below should return a Python int, but it returned {describe(value)}.", advice)
        return passed("first_step_below returns a Python int") if answered else None

    @staticmethod
    def _compare_layout(record: ProbeRecord) -> Verdict | None:
        """Whether every answer of compare_schedules is {'linear': int, 'cosine': int}; None when it never answered."""
        answered = [record[f"compare.{name}"]["value"] for name in COMPARE_CASES if record[f"compare.{name}"]["ok"]]
        for value in answered:
            keys = sorted(value["items"]) if value["kind"] == "dict" else None
            if keys != sorted(LESSON_ANSWER):
                shown = f"a dict with the keys {keys}" if keys is not None else describe(value)
                return failed(f"compare_schedules should return {{'linear': step, 'cosine': step}}; it returned {shown}.")
            if not all(_is_python_int(item) for item in value["items"].values()):
                return failed("compare_schedules should map 'linear' and 'cosine' to Python ints.", "Use `int(...)` or `.item()`.")
        return passed("compare_schedules returns {'linear': int, 'cosine': int}") if answered else None

    @staticmethod
    def _layout_check(check_id: str, verdict: Verdict | None, record: ProbeRecord, prefix: str, grading: Grading) -> None:
        if verdict is None:
            error = next(call["error"] for name, call in record.items() if name.startswith(prefix) and not call["ok"])
            grading.error(check_id, f"Your function raised on every input:\n{error}")
        else:
            grading.check(check_id, verdict)

    @staticmethod
    def _grade_first_steps(record: ProbeRecord, device: torch.device, grading: Grading) -> dict[str, Outcome]:
        outcomes = {}
        for name, (label, _, _) in FIRST_STEP_CASES.items():
            call, expected = record[f"first.{name}"], first_step_below(*first_step_inputs(name, device))
            outcomes[name] = _outcome(call)
            check_id = f"formula.first_step_below.{name}"
            if not call["ok"]:
                grading.error(check_id, f"first_step_below raised on {label}:\n{call['error']}")
            elif outcomes[name] == expected:
                grading.check(check_id, passed(f"first_step_below on {label}: {expected}"))
            else:
                grading.check(check_id, failed(f"first_step_below on {label} is wrong.", f"expected {expected}, got {outcomes[name]}"))
        return outcomes

    @staticmethod
    def _grade_comparisons(record: ProbeRecord, grading: Grading) -> dict[str, Outcome]:
        outcomes = {}
        for name, (T, threshold) in COMPARE_CASES.items():
            call, expected = record[f"compare.{name}"], comparing()(T, threshold)
            outcomes[name] = _outcome(call)
            check_id, label = f"formula.compare_schedules.{name}", f"T={T}, threshold {threshold}"
            if not call["ok"]:
                grading.error(check_id, f"compare_schedules raised for {label}:\n{call['error']}")
            elif outcomes[name] == expected:
                grading.check(check_id, passed(f"compare_schedules for {label}: {expected}"))
            else:
                detail = f"expected {expected}\n     got {outcomes[name]}"
                grading.check(check_id, failed(f"compare_schedules for {label} is wrong.", detail))
        return outcomes

    # ---- diagnosis -------------------------------------------------------------------------------

    def _diagnose(self, record: ProbeRecord, first: Mapping[str, Outcome], compared: Mapping[str, Outcome],
                  device: torch.device, grading: Grading) -> None:
        inputs = {name: first_step_inputs(name, device) for name in FIRST_STEP_CASES}
        first_right = all(first[name] == first_step_below(*inputs[name]) for name in FIRST_STEP_CASES)
        if not first_right:
            self._diagnose_first(first, inputs, grading)
        if not self._inherits(record, compared):
            self._diagnose_compare(compared, grading)
        if not grading.diagnosed:
            errors = (call["error"] for call in record.values() if not call["ok"])
            problem = next((found for found in (layouts.error_diagnosis(AREA, e) for e in errors) if found), None)
            if problem is not None:
                grading.add_diagnosis(problem)

    @staticmethod
    def _diagnose_first(first: Mapping[str, Outcome], inputs: Mapping[str, tuple[torch.Tensor, float]], grading: Grading) -> None:
        def behaves_like(way: Callable[[torch.Tensor, float], int]) -> bool:
            return all(_answer(way, *inputs[name]) == first[name] for name in FIRST_STEP_CASES)

        keys = list(dict.fromkeys(key for key, way in FIRST_STEP_VARIANTS if behaves_like(way)))
        for key in keys:
            grading.diagnose(key)
        if not keys:
            for way, diagnosis in OPEN_FIRST_STEP:
                if behaves_like(way):
                    grading.add_diagnosis(diagnosis)

    @staticmethod
    def _inherits(record: ProbeRecord, compared: Mapping[str, Outcome]) -> bool:
        """Whether compare_schedules answers what the learner's own first_step_below gives on the true ᾱ."""
        for name in COMPARE_CASES:
            own = {kind: _outcome(record[f"own.{name}.{kind}"]) for kind in SCHEDULES}
            expected: Outcome = RAISED if RAISED in own.values() else own
            if compared[name] != expected:
                return False
        return True

    @staticmethod
    def _diagnose_compare(compared: Mapping[str, Outcome], grading: Grading) -> None:
        def behaves_like(way: Callable[[int, float], dict[str, int]]) -> bool:
            return all(_answer(way, *args) == compared[name] for name, args in COMPARE_CASES.items())

        keys = [key for key, way in COMPARE_VARIANTS if behaves_like(way)]
        for key in keys:
            grading.diagnose(key)
        if keys:
            return
        searched = [symbol for symbol, quantity in QUANTITIES if behaves_like(comparing(quantity))]
        if len(searched) == 1:
            grading.add_diagnosis(_searched(searched[0]))
            return
        for argument, way in (("T", comparing(fixed_T=DEFAULT_T)), ("threshold", comparing(fixed_threshold=DEFAULT_THRESHOLD))):
            if behaves_like(way):
                grading.add_diagnosis(_ignored(argument))


def _searched(symbol: str) -> Diagnosis:
    return Diagnosis(
        f"{AREA}.searched_other_quantity",
        f"compare_schedules searches {symbol}, not ᾱ_t",
        f"Every answer of your compare_schedules is the first step at which {symbol} drops below the threshold. "
        "The signal that survives to step t is ᾱ_t = (1 − β_0)(1 − β_1)…(1 − β_t), the running product of the alphas.",
        "Search `alpha_bar = torch.cumprod(1 - betas, dim=0)` itself.",
    )


def _ignored(argument: str) -> Diagnosis:
    default = DEFAULT_T if argument == "T" else DEFAULT_THRESHOLD
    return Diagnosis(
        f"{AREA}.ignores_{argument.lower()}",
        f"compare_schedules ignores its {argument} argument",
        f"Whatever {argument} it is given, your compare_schedules answers what it answers for {argument} = {default}: "
        f"a {default} is written in where the argument belongs.",
        f"Use the {argument} argument wherever the function needs it.",
    )


checks = ScheduleThreshold()
