"""Grading drop_condition by the statistics of what it returns: dropped labels become exactly the
null class, kept labels are untouched, the drop rate is p (within the binomial spread, in every
tenth of the batch), p = 0 and p = 1 are exact, and the input tensor is left as it was."""

from __future__ import annotations

import math

import torch

from engine.drills import compare
from engine.drills.capture import capture, entry
from engine.drills.grading import Verdict, failed, passed

NUM_CLASSES = 10
# name: (number of labels, p_uncond, num_classes)
CASES = {
    "p_0.1": (20000, 0.1, NUM_CLASSES),
    "p_0.5": (20000, 0.5, NUM_CLASSES),
    "p_0": (2000, 0.0, NUM_CLASSES),
    "p_1": (2000, 1.0, NUM_CLASSES),
    "small": (7, 0.3, 3),
}
RATE_CASES = ("p_0.1", "p_0.5")
STANDARD_ERRORS = 5
TENTHS = 10


def make_labels(name: str, device: torch.device) -> torch.Tensor:
    size, _, num_classes = CASES[name]
    generator = torch.Generator().manual_seed(900 + size + num_classes)
    return torch.randint(0, num_classes, (size,), generator=generator).to(device)


def probe(module, device, attempt):
    drop_condition = entry(module, "drop_condition")
    torch.manual_seed(0)  # the learner's own draws: reproducible runs, whatever RNG calls they make
    calls = {}
    for name, (_, p_uncond, num_classes) in CASES.items():
        labels = make_labels(name, device)
        result = attempt(drop_condition, labels, p_uncond, num_classes)
        calls[name] = {"result": result, "input_after": capture(labels)}
    return calls


def _is_course_context(data: torch.Tensor, labels: torch.Tensor, num_classes: int) -> bool:
    """A (B, num_classes) matrix whose rows are the labels' one-hot vectors or zeros."""
    if tuple(data.shape) != (len(labels), num_classes):
        return False
    one_hot = torch.nn.functional.one_hot(labels, num_classes).to(data.dtype)
    rows_kept = (data == one_hot).all(dim=1)
    rows_zeroed = (data == 0).all(dim=1)
    return bool((rows_kept | rows_zeroed).all())


def _outputs(calls, device, grading) -> dict | None:
    """Per case, (labels, output as (B,) long CPU) once every call returned a tensor of the right layout."""
    outputs, verdict = {}, passed("drop_condition returns (B,) int64 labels on the input's device")
    for name, (size, p_uncond, num_classes) in CASES.items():
        result, labels = calls[name]["result"], make_labels(name, torch.device("cpu"))
        if not result["ok"]:
            message = f"drop_condition raised with p_uncond={p_uncond}:\n{result['error']}"
            grading.error("shape.labels", "shape", message)
            return None
        value = result["value"]
        if value.get("kind") == "tensor" and _is_course_context(value["data"], labels, num_classes):
            grading.diagnose("cfg.one_hot_context")
        layout = compare.layout(f"The labels returned for p_uncond={p_uncond}", value, (size,), torch.int64, device)
        if not layout.ok:
            verdict = layout if verdict.ok else verdict  # report the first case that is off
            continue
        outputs[name] = (labels, value["data"].long())
    grading.check("shape.labels", "shape", verdict)
    return outputs if verdict.ok else None


def _input_verdict(calls, grading) -> Verdict:
    for name, (_, p_uncond, _) in CASES.items():
        if not calls[name]["result"]["ok"]:
            continue
        after = calls[name]["input_after"]["data"]
        if not torch.equal(after, make_labels(name, torch.device("cpu"))):
            grading.diagnose("cfg.in_place")
            return failed(f"drop_condition changed the labels tensor it was given (p_uncond={p_uncond}).")
    return passed("The input labels are left unchanged")


WRONG_NULLS = {0: "cfg.null_zero", -1: "cfg.null_minus_one"}


def _null_verdict(outputs, grading) -> Verdict:
    for name, (labels, out) in outputs.items():
        _, p_uncond, num_classes = CASES[name]
        changed = out != labels
        wrong = changed & (out != num_classes)
        if wrong.any():
            values = out[changed].unique().tolist()
            if len(values) == 1:
                key = WRONG_NULLS.get(values[0], "cfg.null_last_class" if values[0] == num_classes - 1 else None)
                if key:
                    grading.diagnose(key)
            index = int(wrong.nonzero()[0, 0])
            label, got = int(labels[index]), int(out[index])
            detail = f"at index {index}: label {label} became {got}, expected {label} or the null class {num_classes}"
            message = f"A dropped label must become the null class num_classes = {num_classes} (p_uncond={p_uncond})."
            return failed(message, detail)
    return passed("Every dropped label is exactly the null class num_classes")


def _kept_verdict(outputs) -> Verdict:
    for name, (labels, out) in outputs.items():
        _, p_uncond, num_classes = CASES[name]
        kept = out != num_classes
        if not torch.equal(out[kept], labels[kept]):
            return failed(f"Labels that are not dropped must stay as they were (p_uncond={p_uncond}).")
    return passed("Every kept label is unchanged")


def _dropped_fraction(name: str, outputs: dict) -> float:
    _, out = outputs[name]
    return float((out == CASES[name][2]).double().mean())


def _extremes_verdict(outputs) -> Verdict:
    for name, expected_fraction in (("p_0", 0.0), ("p_1", 1.0)):
        fraction = _dropped_fraction(name, outputs)
        if fraction != expected_fraction:
            p_uncond = CASES[name][1]
            return failed(f"With p_uncond={p_uncond}, {fraction:.1%} of the labels were dropped, not {expected_fraction:.0%}.")
    return passed("p_uncond=0 keeps every label and p_uncond=1 drops every label")


def _tolerance(p: float, size: int) -> float:
    return STANDARD_ERRORS * math.sqrt(p * (1 - p) / size)


def _rate_verdict(outputs) -> Verdict:
    for name in RATE_CASES:
        size, p_uncond, num_classes = CASES[name]
        dropped = (outputs[name][1] == num_classes).double()
        fraction = float(dropped.mean())
        if abs(fraction - p_uncond) > _tolerance(p_uncond, size):
            spread = _tolerance(p_uncond, size)
            detail = f"expected {p_uncond:.3f} ± {spread:.3f} over {size} labels, got {fraction:.3f}"
            return failed(f"The drop rate for p_uncond={p_uncond} is off.", detail)
        for tenth, chunk in enumerate(dropped.chunk(TENTHS)):
            if abs(float(chunk.mean()) - p_uncond) > _tolerance(p_uncond, len(chunk)):
                first, last = tenth * len(chunk), (tenth + 1) * len(chunk) - 1
                detail = f"labels {first}–{last}: drop rate {float(chunk.mean()):.3f}"
                return failed(f"The dropped labels are not spread at random (p_uncond={p_uncond}).", detail)
    return passed(f"The drop rate is p_uncond, in every tenth of a batch of {CASES[RATE_CASES[0]][0]}")


def _diagnose_rates(outputs, grading) -> None:
    fractions = {name: _dropped_fraction(name, outputs) for name in (*RATE_CASES, "p_0", "p_1")}
    size = CASES[RATE_CASES[0]][0]
    if all(abs(fractions[name] - (1 - CASES[name][1])) <= _tolerance(CASES[name][1], size) for name in fractions):
        grading.diagnose("cfg.inverted_mask")
    elif all(fractions[name] in (0.0, 1.0) for name in RATE_CASES):
        grading.diagnose("cfg.one_coin_per_batch")


def grade(calls, device, grading):
    outputs = _outputs(calls, device, grading)
    if any(calls[name]["result"]["ok"] for name in CASES):
        grading.check("behaviour.input_unchanged", "behaviour", _input_verdict(calls, grading))
    else:
        grading.skip("behaviour.input_unchanged", "behaviour", "Not checked: drop_condition raised.")
    if outputs is None:
        for check_id, points in (("null_label", 1.0), ("kept_labels", 1.0), ("p_extremes", 1.0), ("drop_rate", 2.0)):
            grading.skip(f"formula.{check_id}", "formula", "Not checked: fix the returned labels first.", points=points)
        grading.catalog_check(False)
        return
    null_ok = grading.check("formula.null_label", "formula", _null_verdict(outputs, grading))
    grading.check("formula.kept_labels", "formula", _kept_verdict(outputs))
    extremes, rate = _extremes_verdict(outputs), _rate_verdict(outputs)
    if null_ok and not (extremes.ok and rate.ok):
        # Rates count the null class, so they only say something once the null class is right.
        _diagnose_rates(outputs, grading)
    grading.check("formula.p_extremes", "formula", extremes)
    grading.check("formula.drop_rate", "formula", rate, points=2.0)
    grading.catalog_check(True)
