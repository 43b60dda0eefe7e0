"""Grading the course's ``get_context_mask(c, drop_prob)``.

The one-hot is checked exactly. The mask is random, so what is checked does not depend on the
numbers drawn: it holds only 0s and 1s, it is all ones at drop_prob = 0 and all zeros at 1, and
on 8,000 labels at drop_prob = 0.25 its keep rate is 0.75 in every column and its elements are
independent (as many constant rows as independent coins give, and neighbouring rows no more
alike than chance). The lessons' habits — one coin per sample, a null class — are named.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F

from drills.common.course_probe import globals_to
from engine.drills import compare
from engine.drills.grading import Grading, Verdict, failed, passed
from engine.drills.records import Capture
from engine.drills.toolkit.functions import Case, FunctionDrill, Observation
from reference.course import N_CLASSES, get_context_mask

STATISTICS_DROP = 0.25
# Within this many standard errors of what independent coins give (and never below 0.005).
SIGMAS = 5.0


def _case(name: str, labels: list[int] | None, drop_prob: float, as_float: bool = False, count: int = 0) -> Case:
    def inputs(device: torch.device) -> tuple[torch.Tensor, float]:
        if labels is None:
            c = torch.randint(0, N_CLASSES, (count,), generator=torch.Generator().manual_seed(4242))
        else:
            c = torch.tensor(labels)
        return (c.float() if as_float else c).to(device), drop_prob

    kind = "float" if as_float else "integer"
    shown = f"{count} random" if labels is None else str(labels)
    return Case(name, f"the '{name}' call ({kind} labels {shown}, drop_prob = {drop_prob})", inputs)


def _within(observed: float, expected: float, standard_error: float) -> bool:
    return abs(observed - expected) <= max(SIGMAS * standard_error, 0.005)


class CourseContextMask(FunctionDrill):
    entry = "get_context_mask"
    output_name = "c_hot and c_mask"
    # "few_labels" lacks the high digits (a one-hot sized from the data comes out narrow);
    # "labels_float" passes the labels as the grader does (torch.ones(5) * digit).
    cases = (
        _case("labels_int", [3, 0, 9, 3], 0.1),
        _case("labels_float", [7, 7, 7, 7, 7], 0.0, as_float=True),
        _case("few_labels", [0, 2, 1], 0.5),
        _case("drop_all", list(range(10)), 1.0, as_float=True),
        _case("statistics", None, STATISTICS_DROP, count=8000),
    )

    def __init__(self) -> None:
        # The error each call raised, in the run being graded: set by grade().
        self._errors: dict[str, str] = {}

    def probe(self, module, device, attempt):
        globals_to(module, device)
        return super().probe(module, device, attempt)

    def grade(self, record, device, grading):
        self._errors = {case.name: record[case.name].get("error", "") for case in self.cases}
        super().grade(record, device, grading)

    def reference(self, *inputs: Any) -> tuple[torch.Tensor, torch.Tensor]:
        c, drop_prob = inputs
        return get_context_mask(c, drop_prob)

    def layout(self, observation: Observation, captured: Capture, device: torch.device) -> Verdict:
        c = observation.inputs[0]
        verdict = compare.sequence("get_context_mask", captured, 2)
        if not verdict.ok or captured["kind"] != "seq":
            return verdict
        c_hot, c_mask = captured["items"]
        shape = (len(c), N_CLASSES)
        # the course's one-hot is int64 (F.one_hot); a float one-hot works the same in the U-Net
        hot_dtype = torch.float32 if c_hot.get("dtype") == str(torch.float32) else torch.int64
        verdict = compare.layout("c_hot", c_hot, shape, hot_dtype, device)
        if verdict.ok:
            verdict = compare.layout("c_mask", c_mask, shape, torch.float32, device)
        return passed(f"c_hot and c_mask: shape {shape}, on {device.type}") if verdict.ok else verdict

    def values(self, observation: Observation) -> Verdict:
        assert isinstance(observation.observed, tuple)
        c, drop_prob = observation.inputs
        c_hot, c_mask = observation.observed
        label = observation.case.label
        if not torch.equal(c_hot.long(), F.one_hot(c.long(), N_CLASSES)):
            return failed(f"c_hot for {label} is not the one-hot of the labels.",
                          f"first row: expected {F.one_hot(c.long(), N_CLASSES)[0].tolist()}, got {c_hot[0].tolist()}")
        if not bool(((c_mask == 0) | (c_mask == 1)).all()):
            return failed(f"c_mask for {label} holds values other than 0 and 1.", f"first row: {c_mask[0].tolist()}")
        if drop_prob in (0.0, 1.0) and not bool((c_mask == 1.0 - drop_prob).all()):
            return failed(f"c_mask for {label} should be all {'ones' if drop_prob == 0 else 'zeros'}.",
                          f"it has {int((c_mask != 1.0 - drop_prob).sum())} other values")
        return passed(f"c_hot is the one-hot of the labels and c_mask holds 0s and 1s, for {label}")

    def more_checks(self, observations: Sequence[Observation], device: torch.device, grading: Grading) -> None:
        statistics = next(o for o in observations if o.case.name == "statistics")
        if statistics.expected is None or not self._binary(statistics):
            for check in ("behaviour.keep_rate", "behaviour.per_element"):
                grading.skip(check, "Not checked: the mask's statistics are checked once it is a (B, 10) mask of 0s and 1s.")
            return
        mask = self._mask(statistics)
        grading.check("behaviour.keep_rate", _keep_rate(mask))
        grading.check("behaviour.per_element", _independence(mask))

    @staticmethod
    def _mask(observation: Observation) -> torch.Tensor:
        assert isinstance(observation.observed, tuple)
        mask = observation.observed[1]
        assert isinstance(mask, torch.Tensor)
        return mask.detach().double().cpu()

    def _binary(self, observation: Observation) -> bool:
        mask = self._mask(observation)
        return bool(((mask == 0) | (mask == 1)).all())

    def recognised(self, observations: Sequence[Observation], device: torch.device) -> list[str]:
        """The lessons' habits and the usual slips, from the outputs' layout and statistics."""
        by_name = {o.case.name: o for o in observations}
        outputs = {name: o.observed for name, o in by_name.items() if isinstance(o.observed, tuple) and len(o.observed) == 2}
        if any(hot.shape[-1] == N_CLASSES + 1 for hot, _ in outputs.values()):
            return ["mask.null_class"]
        if any(mask.shape == (len(by_name[name].inputs[0]),) or mask.shape == (len(by_name[name].inputs[0]), 1)
               for name, (_, mask) in outputs.items()):
            return ["mask.per_sample"]
        few = outputs.get("few_labels")
        if few is not None and few[0].shape[-1] == int(by_name["few_labels"].inputs[0].max()) + 1:
            return ["mask.num_classes_missing"]
        if all("one_hot is only applicable to index tensor" in self._errors[o.case.name] for o in observations
               if o.case.name in ("labels_float", "drop_all")) and "labels_int" in outputs:
            return ["mask.float_labels"]
        statistics = outputs.get("statistics")
        if statistics is None or statistics[1].shape != (len(by_name["statistics"].inputs[0]), N_CLASSES):
            return []
        mask = statistics[1].detach().double().cpu()
        if bool((mask == 1.0 - STATISTICS_DROP).all()):
            return ["mask.not_drawn"]
        if self._binary(by_name["statistics"]):
            rows_constant = float((mask.amin(1) == mask.amax(1)).double().mean())
            if rows_constant == 1.0:
                return ["mask.per_sample"]
            if _within(float(mask.mean()), STATISTICS_DROP, math.sqrt(STATISTICS_DROP * (1 - STATISTICS_DROP) / mask.numel())):
                return ["mask.keep_probability_is_drop_prob"]
        return []


def _keep_rate(mask: torch.Tensor) -> Verdict:
    """The share of ones, overall and in every column, is 1 − drop_prob."""
    keep = 1.0 - STATISTICS_DROP
    rows = mask.shape[0]
    overall, columns = float(mask.mean()), mask.mean(0)
    if not _within(overall, keep, math.sqrt(keep * (1 - keep) / mask.numel())):
        return failed(f"Your mask keeps {overall:.3f} of the elements at drop_prob = {STATISTICS_DROP}; it should keep "
                      f"1 − drop_prob = {keep}.")
    column_error = math.sqrt(keep * (1 - keep) / rows)
    off = [(j, float(rate)) for j, rate in enumerate(columns) if not _within(float(rate), keep, column_error)]
    if off:
        return failed(f"Your mask keeps {keep} overall, but not in every column: column {off[0][0]} keeps {off[0][1]:.3f}.")
    return passed(f"Your mask keeps {overall:.3f} of the elements (1 − drop_prob = {keep}), in every column alike")


def _independence(mask: torch.Tensor) -> Verdict:
    """Independent coins for every element: constant rows as rare as chance makes them, and
    neighbouring rows no more alike than chance."""
    keep = 1.0 - STATISTICS_DROP
    rows = mask.shape[0]
    constant = float((mask.amin(1) == mask.amax(1)).double().mean())
    expected_constant = keep**N_CLASSES + (1 - keep) ** N_CLASSES
    if not _within(constant, expected_constant, math.sqrt(expected_constant * (1 - expected_constant) / rows)):
        return failed(f"{constant:.1%} of your mask's rows are all ones or all zeros; independent coins for every element "
                      f"give {expected_constant:.1%}. The course draws one coin per element, not one per sample.")
    agree = float((mask[1:] == mask[:-1]).double().mean())
    expected_agree = keep**2 + (1 - keep) ** 2
    if not _within(agree, expected_agree, math.sqrt(expected_agree * (1 - expected_agree) / (mask.numel() - N_CLASSES))):
        return failed(f"Neighbouring rows of your mask agree on {agree:.1%} of their elements; independent draws agree on "
                      f"{expected_agree:.1%}. Every sample needs its own draw.")
    return passed(f"Your mask's elements look independent: {constant:.1%} constant rows (chance gives {expected_constant:.1%})")


checks = CourseContextMask()
