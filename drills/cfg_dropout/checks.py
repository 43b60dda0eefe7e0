"""Grading drop_condition by the statistics of what it returns: dropped labels become exactly the
null class, kept labels are untouched, the drop rate is p (within the binomial spread, in every
tenth of the batch), p = 0 and p = 1 are exact, the labels are dropped independently of each other
and afresh on every call (the number dropped per call has the binomial spread), and the input
tensor is left as it was.

A wrong result is named by what it shows: the value dropped labels become (a real class, −1, a
number written in where num_classes belongs), the law the drop rate follows as p varies (1 − p for
an inverted mask, Φ(p) for Gaussian coins), the spread of the count per call (none for an exact
fraction, all-or-nothing for one coin per batch), or its layout.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from types import ModuleType
from typing import Any

import torch

from engine.drills import compare
from engine.drills.capture import Attempt, capture, entry
from engine.drills.grading import Grading, Verdict, failed, passed
from engine.drills.plugin import DrillChecks
from engine.drills.records import ProbeRecord
from engine.drills.results import Diagnosis
from engine.drills.toolkit import layouts

AREA = "cfg"
NUM_CLASSES = 10
# name: (number of labels, p_uncond, num_classes)
CASES = {
    "p_0.1": (20000, 0.1, NUM_CLASSES),
    "p_0.5": (20000, 0.5, NUM_CLASSES),
    "p_0": (2000, 0.0, NUM_CLASSES),
    "p_1": (2000, 1.0, NUM_CLASSES),
    "classes_5": (2000, 0.5, 5),
    "small": (7, 0.3, 3),
}
RATE_CASES = ("p_0.1", "p_0.5")
# Many calls on one small batch: how many labels each call drops, and whether the drops change.
REPEAT_CALLS, REPEAT_SIZE, REPEAT_P = 400, 40, 0.3
STANDARD_ERRORS = 5
TENTHS = 10
# The variance of the count per call over the binomial variance: within these bounds for 400 calls
# of independent coins (its spread is about ±0.07), far outside them for an exact fraction (0) or
# one coin per batch (the batch size).
VARIANCE_RATIO = (0.6, 1.5)
Outputs = dict[str, tuple[torch.Tensor, torch.Tensor]]


def make_labels(name: str, device: torch.device) -> torch.Tensor:
    size, _, num_classes = CASES.get(name, (REPEAT_SIZE, REPEAT_P, NUM_CLASSES))
    generator = torch.Generator().manual_seed(900 + size + num_classes)
    return torch.randint(0, num_classes, (size,), generator=generator).to(device)


def _tolerance(p: float, size: int) -> float:
    return STANDARD_ERRORS * math.sqrt(p * (1 - p) / size)


# Drop-rate laws: what fraction a mistaken coin drops for a given p_uncond, with the catalog key or
# the open diagnosis that names it.
def _gaussian(p: float) -> float:
    return 0.5 * (1 + math.erf(p / math.sqrt(2)))


RATE_LAWS: tuple[tuple[str, Callable[[float], float]], ...] = (
    ("cfg.inverted_mask", lambda p: 1 - p),
    ("cfg.gaussian_coins", _gaussian),
    ("cfg.gaussian_coins", lambda p: 1 - _gaussian(p)),
)


class CfgDropout(DrillChecks):
    def probe(self, module: ModuleType, device: torch.device, attempt: Attempt) -> ProbeRecord:
        drop_condition = entry(module, "drop_condition")
        torch.manual_seed(0)  # the learner's own draws: reproducible runs, whatever RNG calls they make
        calls: dict[str, Any] = {}
        for name, (_, p_uncond, num_classes) in CASES.items():
            labels = make_labels(name, device)
            result = attempt(drop_condition, labels, p_uncond, num_classes)
            calls[name] = {"result": result, "input_after": capture(labels)}
        labels = make_labels("repeat", device)
        calls["repeat"] = [attempt(drop_condition, labels.clone(), REPEAT_P, NUM_CLASSES) for _ in range(REPEAT_CALLS)]
        return calls

    def grade(self, record: ProbeRecord, device: torch.device, grading: Grading) -> None:
        outputs = self._outputs(record, device, grading)
        if any(record[name]["result"]["ok"] for name in CASES):
            grading.check("behaviour.input_unchanged", self._input_verdict(record, grading))
        else:
            grading.skip("behaviour.input_unchanged", "Not checked: drop_condition raised.")
        if outputs is None:
            for check_id in ("null_label", "kept_labels", "p_extremes", "drop_rate"):
                grading.skip(f"formula.{check_id}", "Not checked: fix the returned labels first.")
            grading.skip("behaviour.independent", "Not checked: fix the returned labels first.")
            self._diagnose_layout(record, device, grading)
            return
        null_ok = grading.check("formula.null_label", self._null_verdict(outputs))
        grading.check("formula.kept_labels", self._kept_verdict(outputs))
        grading.check("formula.p_extremes", self._extremes_verdict(outputs))
        grading.check("formula.drop_rate", self._rate_verdict(outputs))
        counts = self._repeat_counts(record)
        if counts is None:
            grading.skip("behaviour.independent", "Not checked: the repeated calls did not all return (40,) labels.")
        else:
            grading.check("behaviour.independent", self._independence_verdict(*counts))
        if not grading.all_passed():
            self._diagnose(outputs, counts, null_ok, grading)

    # ---- checks ----------------------------------------------------------------------------------

    @staticmethod
    def _outputs(record: ProbeRecord, device: torch.device, grading: Grading) -> Outputs | None:
        """Per case, (labels, output as (B,) long CPU) once every call returned a tensor of the right layout."""
        outputs, verdict = {}, passed("drop_condition returns (B,) int64 labels on the input's device")
        for name, (size, p_uncond, _) in CASES.items():
            result, labels = record[name]["result"], make_labels(name, torch.device("cpu"))
            if not result["ok"]:
                grading.error("shape.labels", f"drop_condition raised with p_uncond={p_uncond}:\n{result['error']}")
                return None
            layout = compare.layout(f"The labels returned for p_uncond={p_uncond}", result["value"], (size,), torch.int64, device)
            if not layout.ok:
                verdict = layout if verdict.ok else verdict  # report the first case that is off
                continue
            outputs[name] = (labels, result["value"]["data"].long().cpu())
        grading.check("shape.labels", verdict)
        return outputs if verdict.ok else None

    @staticmethod
    def _input_verdict(record: ProbeRecord, grading: Grading) -> Verdict:
        for name, (_, p_uncond, _) in CASES.items():
            if not record[name]["result"]["ok"]:
                continue
            if not torch.equal(record[name]["input_after"]["data"], make_labels(name, torch.device("cpu"))):
                grading.diagnose("cfg.in_place")
                return failed(f"drop_condition changed the labels tensor it was given (p_uncond={p_uncond}).")
        return passed("The input labels are left unchanged")

    @staticmethod
    def _null_verdict(outputs: Outputs) -> Verdict:
        for name, (labels, out) in outputs.items():
            _, p_uncond, num_classes = CASES[name]
            wrong = (out != labels) & (out != num_classes)
            if wrong.any():
                index = int(wrong.nonzero()[0, 0])
                label, got = int(labels[index]), int(out[index])
                detail = f"at index {index}: label {label} became {got}, expected {label} or the null class {num_classes}"
                message = f"A dropped label must become the null class num_classes = {num_classes} (p_uncond={p_uncond})."
                return failed(message, detail)
        return passed("Every dropped label is exactly the null class num_classes")

    @staticmethod
    def _kept_verdict(outputs: Outputs) -> Verdict:
        for name, (labels, out) in outputs.items():
            kept = out != CASES[name][2]
            if not torch.equal(out[kept], labels[kept]):
                return failed(f"Labels that are not dropped must stay as they were (p_uncond={CASES[name][1]}).")
        return passed("Every kept label is unchanged")

    @staticmethod
    def _extremes_verdict(outputs: Outputs) -> Verdict:
        for name, expected_fraction in (("p_0", 0.0), ("p_1", 1.0)):
            labels, out = outputs[name]
            fraction = float((out != labels).double().mean())
            if fraction != expected_fraction:
                p_uncond = CASES[name][1]
                return failed(f"With p_uncond={p_uncond}, {fraction:.1%} of the labels were changed, not {expected_fraction:.0%}.")
        return passed("p_uncond=0 keeps every label and p_uncond=1 drops every label")

    @staticmethod
    def _rate_verdict(outputs: Outputs) -> Verdict:
        for name in RATE_CASES:
            size, p_uncond, num_classes = CASES[name]
            dropped = (outputs[name][1] == num_classes).double()
            fraction = float(dropped.mean())
            if abs(fraction - p_uncond) > _tolerance(p_uncond, size):
                detail = f"expected {p_uncond:.3f} ± {_tolerance(p_uncond, size):.3f} over {size} labels, got {fraction:.3f}"
                return failed(f"The drop rate for p_uncond={p_uncond} is off.", detail)
            for tenth, chunk in enumerate(dropped.chunk(TENTHS)):
                if abs(float(chunk.mean()) - p_uncond) > _tolerance(p_uncond, len(chunk)):
                    first, last = tenth * len(chunk), (tenth + 1) * len(chunk) - 1
                    detail = f"labels {first}–{last}: drop rate {float(chunk.mean()):.3f}"
                    return failed(f"The dropped labels are not spread at random (p_uncond={p_uncond}).", detail)
        return passed(f"The drop rate is p_uncond, in every tenth of a batch of {CASES[RATE_CASES[0]][0]}")

    @staticmethod
    def _repeat_counts(record: ProbeRecord) -> tuple[torch.Tensor, torch.Tensor] | None:
        """(number dropped per call, the (calls, B) drop masks) of the repeated calls, when all returned (B,) labels."""
        labels = make_labels("repeat", torch.device("cpu"))
        masks = []
        for call in record["repeat"]:
            if not call["ok"] or call["value"]["kind"] != "tensor" or tuple(call["value"]["data"].shape) != (REPEAT_SIZE,):
                return None
            masks.append(call["value"]["data"].long().cpu() != labels)
        stacked = torch.stack(masks)
        return stacked.sum(dim=1).double(), stacked

    @staticmethod
    def _independence_verdict(counts: torch.Tensor, masks: torch.Tensor) -> Verdict:
        binomial = REPEAT_SIZE * REPEAT_P * (1 - REPEAT_P)
        ratio = float(counts.var()) / binomial
        summary = (f"over {REPEAT_CALLS} calls on {REPEAT_SIZE} labels with p_uncond={REPEAT_P}, the number dropped per call "
                   f"has variance {float(counts.var()):.2f}; independent coins give {binomial:.2f}")
        if not VARIANCE_RATIO[0] <= ratio <= VARIANCE_RATIO[1]:
            return failed("The labels are not dropped independently of each other.", summary)
        if bool((masks == masks[0]).all()):
            return failed("Every call drops the same labels.", f"all {REPEAT_CALLS} calls returned the same mask")
        return passed(f"Each label is dropped independently, afresh on every call ({summary})")

    # ---- diagnosis -------------------------------------------------------------------------------

    @staticmethod
    def _diagnose_layout(record: ProbeRecord, device: torch.device, grading: Grading) -> None:
        """Labels that did not come back as (B,) int64: what came back instead."""
        for name, (size, _, num_classes) in CASES.items():
            result = record[name]["result"]
            if not result["ok"]:
                problem = layouts.error_diagnosis(AREA, result["error"])
                if problem is not None:
                    grading.add_diagnosis(problem)
                return
            value = result["value"]
            if value["kind"] != "tensor":
                continue
            data, labels = value["data"], make_labels(name, torch.device("cpu"))
            if _is_course_context(data, labels, num_classes):
                grading.diagnose("cfg.one_hot_context")
                return
            if tuple(data.shape) == (size, size) and size > 1:
                grading.add_diagnosis(MASK_BROADCAST)
                return
            if tuple(data.shape) == (size,) and data.is_floating_point() and bool((data == data.round()).all()):
                grading.add_diagnosis(FLOAT_LABELS)
                return
            problem = layouts.layout_diagnosis(AREA, "The returned labels", value, torch.empty(size, dtype=torch.long))
            if problem is not None:
                grading.add_diagnosis(problem)
                return

    def _diagnose(self, outputs: Outputs, counts: tuple[torch.Tensor, torch.Tensor] | None, null_ok: bool, grading: Grading) -> None:
        if not null_ok:
            self._diagnose_null(outputs, grading)
            return
        # The rates count the null class, so they only say something once the null class is right.
        law = self._rate_law(outputs)
        if law:
            grading.diagnose(law)
            return
        if all(bool((outputs[name][1] == CASES[name][2]).all()) or bool((outputs[name][1] != CASES[name][2]).all())
               for name in RATE_CASES):
            grading.diagnose("cfg.one_coin_per_batch")
            return
        if counts is not None:
            self._diagnose_spread(*counts, grading)

    @staticmethod
    def _diagnose_null(outputs: Outputs, grading: Grading) -> None:
        """Name the one value dropped labels become, when it is the same rule in every case."""
        values = {name: set(out[out != labels].tolist()) for name, (labels, out) in outputs.items()}
        values = {name: found for name, found in values.items() if found}
        for key, value_for in (("cfg.null_zero", lambda n: 0), ("cfg.null_minus_one", lambda n: -1),
                               ("cfg.null_last_class", lambda n: n - 1)):
            if values and all(found == {value_for(CASES[name][2])} for name, found in values.items()):
                grading.diagnose(key)
                return
        constants = {frozenset(found) for found in values.values()}
        if len(constants) == 1 and len(found := next(iter(constants))) == 1:
            fixed = next(iter(found))
            other = next((CASES[name][2] for name in values if CASES[name][2] != fixed), None)
            if other is not None:
                grading.add_diagnosis(_fixed_null(fixed, other))

    @staticmethod
    def _rate_law(outputs: Outputs) -> str:
        """The catalog key of the law the drop fractions follow for every p, or ""."""
        for key, law in RATE_LAWS:
            if all(_fits(law(CASES[name][1]), outputs, name) for name in ("p_0.1", "p_0.5", "p_0", "p_1", "classes_5")):
                return key
        return ""

    @staticmethod
    def _diagnose_spread(counts: torch.Tensor, masks: torch.Tensor, grading: Grading) -> None:
        if bool((masks == masks[0]).all()):
            grading.add_diagnosis(SAME_MASK)
        elif bool((counts == counts[0]).all()):
            grading.add_diagnosis(_exact_count(int(counts[0])))


def _fits(rate: float, outputs: Outputs, name: str) -> bool:
    size, _, num_classes = CASES[name]
    fraction = float((outputs[name][1] == num_classes).double().mean())
    return abs(fraction - rate) <= _tolerance(rate, size) + 1e-12


def _is_course_context(data: torch.Tensor, labels: torch.Tensor, num_classes: int) -> bool:
    """A (B, num_classes) matrix whose rows are the labels' one-hot vectors or zeros."""
    if tuple(data.shape) != (len(labels), num_classes):
        return False
    one_hot = torch.nn.functional.one_hot(labels, num_classes).to(data.dtype)
    rows_kept = (data == one_hot).all(dim=1)
    rows_zeroed = (data == 0).all(dim=1)
    return bool((rows_kept | rows_zeroed).all())


def _fixed_null(value: int, num_classes: int) -> Diagnosis:
    return Diagnosis(
        f"{AREA}.fixed_null_class",
        f"Dropped labels become {value} whatever num_classes is",
        f"Your dropped labels are {value} in every call, also with num_classes = {num_classes}: a number is written in "
        "where the argument num_classes belongs, so with another dataset the null class is a real class or out of range.",
        "Use the argument: `torch.full_like(labels, num_classes)`.",
    )


def _exact_count(count: int) -> Diagnosis:
    return Diagnosis(
        f"{AREA}.exact_fraction",
        "Exactly p·B labels are dropped in every batch",
        f"Every call on a batch of {REPEAT_SIZE} with p_uncond = {REPEAT_P} drops exactly {count} labels. With a coin "
        "per label the count varies from batch to batch (binomially); a fixed count makes the labels of a batch "
        "depend on each other, which is not the dropout the model is trained with.",
        "Draw one uniform number per label and drop the label where it is below p_uncond: "
        "`torch.rand(labels.shape, device=labels.device) < p_uncond`.",
    )


MASK_BROADCAST = Diagnosis(
    f"{AREA}.mask_broadcast",
    "A (B, 1) mask broadcast against (B,) labels",
    "Your function returns a (B, B) tensor: a mask of shape (B, 1) combined with labels of shape (B,) broadcasts to "
    "every pair of rows and labels.",
    "Draw the mask with the labels' own shape: `torch.rand(labels.shape, device=labels.device)`.",
)
FLOAT_LABELS = Diagnosis(
    f"{AREA}.float_labels",
    "The labels come back as floats",
    "Your labels have the right values but a floating-point dtype: torch.where with a Python float (or a float tensor) "
    "promotes the result, and an embedding lookup needs integer (int64) indices.",
    "Fill with a tensor of the labels' dtype: `torch.full_like(labels, num_classes)`.",
)
SAME_MASK = Diagnosis(
    f"{AREA}.same_mask",
    "Every call drops the same labels",
    f"{REPEAT_CALLS} calls on the same batch all dropped the same positions: the coins are not drawn afresh on each "
    "call (a fixed seed inside the function, or a mask drawn once and reused).",
    "Draw new random numbers on every call, and never reseed inside the function.",
)


checks = CfgDropout()
