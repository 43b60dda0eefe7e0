"""Grading sample_cfg by its behaviour, as sample_ddpm is graded, with a conditional recording model.

A step may call the model once with a batch of 2B images (x twice, class labels and null labels
in either order) or twice with B images each. The rows are told apart by their labels (the test's
class labels are all distinct and avoid 0 and num_classes − 1, which a wrong null label would
use) and matched to the images by their x. Each step must then follow the reverse law with the
guided prediction ε̂ = ε̂_∅ + w·(ε̂_c − ε̂_∅); the guidance-rule bugs are other laws of the same kind.
"""

from __future__ import annotations

from dataclasses import replace

import torch

from drills.sample_ddpm.checks import (
    MEANS,
    SEED,
    SIGMAS,
    STEPS,
    check_chain,
    check_second_case,
    law_keys,
    make_schedule,
    pattern_keys,
    timestep_problem,
)
from engine.drills import compare
from engine.drills.capture import entry
from engine.drills.trace import (
    Chain,
    RecordingNoiseModel,
    Step,
    StepLaw,
    all_equal,
    describe_timestep_argument,
    graph_problem,
    law_combinations,
    ordinal,
    single_threaded,
    single_value,
    tensor_of,
)

NUM_CLASSES = 10
GUIDANCE_SCALE = 2.5
# "main": batch, channels, height and width all differ (3840 values per step); in
# "batch_is_width" the batch equals the width.
CASES = {
    "main": ((4, 2, 24, 20), [3, 7, 1, 5]),
    "batch_is_width": ((5, 3, 6, 5), [2, 6, 8, 4, 1]),
}


@single_threaded()
def probe(module, device, attempt):
    sample_cfg = entry(module, "sample_cfg")
    runs = {}
    for name, (shape, labels) in CASES.items():
        model = RecordingNoiseModel(conditional=True).to(device)
        class_labels = torch.tensor(labels, dtype=torch.long, device=device)
        torch.manual_seed(SEED)  # reproducible runs; no check depends on which draws the learner makes
        result = attempt(sample_cfg, model, shape, make_schedule(device), class_labels, GUIDANCE_SCALE, NUM_CLASSES, device)
        runs[name] = {"result": result, "model_calls": model.calls}
    return runs


def guided_by(scale: float):
    def guidance(eps_cond, eps_uncond):
        return eps_uncond + scale * (eps_cond - eps_uncond)

    return guidance


GUIDED = StepLaw(guidance=guided_by(GUIDANCE_SCALE))
GUIDANCES = [
    (None, GUIDED.guidance),
    ("cfg.swapped_cond_uncond", guided_by(1 - GUIDANCE_SCALE)),
    ("cfg.one_plus_w_convention", guided_by(1 + GUIDANCE_SCALE)),
    ("cfg.no_guidance", guided_by(1.0)),
]
CFG_LAWS = law_combinations(MEANS, SIGMAS, GUIDANCES)


# ---------------------------------------------------------------------------------------------
# Reading a run: model calls -> steps


def _steps_of_calls(model_calls: list[dict]) -> list[list[int]]:
    """Consecutive calls with the same timestep form one step."""
    groups: list[list[int]] = []
    previous = None
    for index, call in enumerate(model_calls):
        t = single_value(call["t"])
        if groups and t is not None and t == previous:
            groups[-1].append(index)
        else:
            groups.append([index])
        previous = t
    return groups


def _call_problem(call: dict, shape: tuple, device: torch.device) -> str | None:
    x = call["x"]
    batch = shape[0]
    if x.get("kind") != "tensor":
        return f"x should be a tensor, but it was {compare.describe(x)}"
    rows = x["data"].shape[0] if x["data"].ndim else 0
    if rows not in (batch, 2 * batch):
        return f"x should hold the {batch} images (or {2 * batch}, both halves in one batch), but it had shape {tuple(x['data'].shape)}"
    layout = compare.layout("x_t", x, (rows, *shape[1:]), torch.float32, device)
    if not layout.ok:
        return f"{layout.message} {layout.evidence}".strip()
    problem = describe_timestep_argument(call["t"], rows, device)
    if problem:
        return problem
    labels = call["labels"]
    if labels.get("kind") != "tensor" or tuple(labels["data"].shape) != (rows,) or labels["dtype"] != str(torch.long):
        return f"the class labels should be a ({rows},) long tensor, one per image, but they were {compare.describe(labels)}"
    if not compare.same_device(labels["device"], device):
        return f"the class labels were on {labels['device']}, but the model runs on {device}"
    return None


class _StepRows:
    """The rows a step's calls gave the model, with the model's prediction for each."""

    def __init__(self, model_calls: list[dict], indices: list[int], model, device: torch.device):
        xs, labels, eps = [], [], []
        for index in indices:
            call = model_calls[index]
            x, t = tensor_of(call["x"], device), tensor_of(call["t"], device)
            label = tensor_of(call["labels"], device)
            with torch.no_grad():
                eps.append(model.predict(x, t, label))
            xs.append(x)
            labels.append(label)
        self.x, self.labels, self.eps = torch.cat(xs), torch.cat(labels), torch.cat(eps)

    def row_with_x(self, x: torch.Tensor, rows: list[int]) -> int | None:
        return next((row for row in rows if torch.equal(self.x[row], x)), None)


def _read_step(rows: _StepRows, t: int, class_labels: list[int]):
    """(x_t, ε̂_c, ε̂_∅ or None, null labels used, problem) for one step."""
    where = f"At step t={t}"
    cond_rows = []
    for image, label in enumerate(class_labels):
        row = next((row for row in range(len(rows.labels)) if int(rows.labels[row]) == label), None)
        if row is None:
            return None, None, None, set(), f"{where} no model call had image {image}'s class label {label}: the conditional prediction needs the class labels"
        cond_rows.append(row)
    x_t, eps_cond = rows.x[cond_rows], rows.eps[cond_rows]
    other = [row for row in range(len(rows.labels)) if int(rows.labels[row]) not in class_labels]
    if not other:
        return x_t, eps_cond, None, set(), f"{where} the model was only called with the class labels: there is no unconditional prediction (null label {NUM_CLASSES})"
    uncond_rows = [rows.row_with_x(x_t[image], other) for image in range(len(class_labels))]
    used = {int(rows.labels[row]) for row in other}
    if any(row is None for row in uncond_rows):
        return x_t, eps_cond, None, used, f"{where} the unconditional call was not given the same images x_t as the conditional one"
    problem = None
    if used != {NUM_CLASSES}:
        problem = f"{where} the unconditional rows were labelled {', '.join(map(str, sorted(used)))}; the null class is num_classes = {NUM_CLASSES}"
    return x_t, eps_cond, rows.eps[uncond_rows], used, problem


def _captured_like(x: torch.Tensor, call_x: dict) -> dict:
    return {**call_x, "data": x.detach().cpu()}


def cfg_chain(model_calls: list[dict], returned: dict, shape: tuple, class_labels: list[int], device: torch.device):
    """The learner's chain and what its labels looked like: (chain, label problem, null labels used)."""
    call_problem = next(
        (f"The {ordinal(k + 1)} model call: {problem}" for k, call in enumerate(model_calls) if (problem := _call_problem(call, shape, device))),
        None,
    )
    groups = _steps_of_calls(model_calls)
    given = [single_value(model_calls[group[0]]["t"]) for group in groups]
    model = RecordingNoiseModel(conditional=True).to(device)
    steps, label_problem, null_used = [], None, set()
    for k, group in enumerate(groups[:STEPS]):
        if any(_call_problem(model_calls[index], shape, device) for index in group):
            break
        x_t, eps_cond, eps_uncond, used, problem = _read_step(_StepRows(model_calls, group, model, device), given[k], class_labels)
        label_problem = label_problem or problem
        null_used |= used
        if x_t is None:
            break
        if eps_uncond is None:  # what the step should have used: the prediction for the null class
            t = torch.full((shape[0],), given[k], dtype=torch.long, device=device)
            with torch.no_grad():
                eps_uncond = model.predict(x_t, t, torch.full_like(t, NUM_CLASSES))
        if steps:
            steps[-1].x_next = x_t
        steps.append(Step(STEPS - 1 - k, group[0] + 1, x_t, eps_cond, eps_uncond, None))
    if steps and len(steps) == len(groups[:STEPS]):
        steps[-1].x_next = tensor_of(returned, device)  # else the chain cannot be followed past its last step
    grad_calls = sum(1 for call in model_calls if call["grad_enabled"] and call.get("output_graph"))
    chain = Chain(
        steps=steps,
        first_x=_captured_like(steps[0].x, model_calls[0]["x"]) if steps else None,
        given=given,
        call_problem=call_problem or timestep_problem(given, STEPS),
        graph_problem=graph_problem(grad_calls, len(model_calls), returned),
        xs_constant=all_equal([step.x for step in steps]),
    )
    return chain, label_problem, null_used


# ---------------------------------------------------------------------------------------------


def labels_verdict(label_problem: str | None):
    if label_problem:
        return compare.failed("The conditional and unconditional predictions are not both there at every step.", label_problem + ".")
    return compare.passed(f"Every step predicts with the class labels and with the null class {NUM_CLASSES}, on the same x_t")


def label_keys(chain: Chain, null_used: set) -> list[str]:
    if chain.steps and not null_used:
        return ["cfg.single_pass"]
    if null_used and NUM_CLASSES not in null_used:
        return ["cfg.wrong_null_label"]
    return []


@single_threaded()
def grade(calls, device, grading):
    gradable = True
    for name, (shape, class_labels) in CASES.items():
        run = calls[name]
        returned = run["result"]["value"] if run["result"]["ok"] else {}
        chain, label_problem, null_used = cfg_chain(run["model_calls"], returned, shape, class_labels, device)
        if name != "main":
            gradable &= run["result"]["ok"]
            whole = replace(chain, call_problem=chain.call_problem or label_problem)
            check_second_case(grading, name, whole, run["result"], shape, device, GUIDED)
            continue
        labels_check = ("behaviour.labels", "behaviour", 2.0, labels_verdict(label_problem) if chain.steps else None)
        reused = check_chain(grading, chain, run["result"], shape, device, GUIDED, call_checks=[labels_check])
        gradable &= reused is not None and bool(chain.steps)
        if reused is None:
            continue
        keys = pattern_keys(chain, reused) + label_keys(chain, null_used)
        if "cfg.single_pass" not in keys:  # without ε̂_∅ no guidance rule can be fitted
            keys += law_keys(chain, GUIDED, CFG_LAWS, device)
        for key in keys:
            grading.diagnose(key)
    grading.catalog_check(gradable)
