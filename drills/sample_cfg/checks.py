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

from drills.common.ddpm_laws import REVERSE_MEAN, sampler_schedule, sigma_sqrt_beta, step_diagnoses
from drills.common.sampler_laws import MEANS, SIGMAS
from engine.drills import compare
from engine.drills.capture import entry
from engine.drills.grading import Verdict, failed, passed
from engine.drills.plugin import DrillChecks
from engine.drills.records import Capture
from engine.drills.results import Diagnosis
from engine.drills.toolkit import coefficients
from engine.drills.toolkit.samplers import (
    Chain,
    ChainChecks,
    ModelCall,
    PatternKeys,
    RecordingNoiseModel,
    Step,
    StepLaw,
    all_equal,
    describe_timestep_argument,
    double_schedule,
    first_number,
    graph_problem,
    law_combinations,
    ordinal,
    single_threaded,
    single_value,
    tensor_of,
    timestep_problem,
)

SEED = 2024
STEPS = 40
NUM_CLASSES = 10
GUIDANCE_SCALE = 2.5
KEYS = PatternKeys("sample.skips_last_step", "sample.timestep_off_by_one", "sample.loop_forward", "sample.x_not_updated",
                   "sample.missing_no_grad", "sample.same_noise_every_step", "sample.normalised_timestep", "sample.uniform_start")
# "main": batch, channels, height and width all differ (3840 values per step); in
# "batch_is_width" the batch equals the width.
CASES = {
    "main": ((4, 2, 24, 20), [3, 7, 1, 5]),
    "batch_is_width": ((5, 3, 6, 5), [2, 6, 8, 4, 1]),
}


def make_schedule(device: torch.device) -> dict[str, torch.Tensor]:
    return {name: values.to(device) for name, values in sampler_schedule(STEPS).items()}


def guided_by(scale: float):
    def guidance(eps_cond, eps_uncond):
        return eps_uncond + scale * (eps_cond - eps_uncond)

    return guidance


GUIDED = StepLaw(REVERSE_MEAN, sigma_sqrt_beta, guidance=guided_by(GUIDANCE_SCALE))
GUIDANCES = [
    (None, GUIDED.guidance),
    ("cfg.swapped_cond_uncond", guided_by(1 - GUIDANCE_SCALE)),
    ("cfg.one_plus_w_convention", guided_by(1 + GUIDANCE_SCALE)),
    ("cfg.no_guidance", guided_by(1.0)),
]
CFG_LAWS = law_combinations(MEANS, SIGMAS, GUIDANCES)


# ---------------------------------------------------------------------------------------------
# Reading a run: model calls -> steps


def _steps_of_calls(model_calls: list[ModelCall]) -> list[list[int]]:
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


def _call_problem(call: ModelCall, shape: tuple[int, ...], device: torch.device) -> str | None:
    x = call["x"]
    batch = shape[0]
    if x["kind"] != "tensor":
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
    if labels["kind"] != "tensor" or tuple(labels["data"].shape) != (rows,) or labels["dtype"] != str(torch.long):
        return f"the class labels should be a ({rows},) long tensor, one per image, but they were {compare.describe(labels)}"
    if not compare.same_device(labels["device"], device):
        return f"the class labels were on {labels['device']}, but the model runs on {device}"
    return None


class _StepRows:
    """The rows a step's calls gave the model, with the model's prediction for each."""

    def __init__(self, model_calls: list[ModelCall], indices: list[int], model: RecordingNoiseModel, device: torch.device):
        xs, labels, eps = [], [], []
        for index in indices:
            call = model_calls[index]
            x, t = tensor_of(call["x"], device), tensor_of(call["t"], device)
            label = tensor_of(call["labels"], device)
            if x is None or label is None:
                raise TypeError("a step's rows are read only from calls whose x and labels are tensors (see _call_problem)")
            with torch.no_grad():
                eps.append(model.predict(x, t, label))
            xs.append(x)
            labels.append(label)
        self.x, self.labels, self.eps = torch.cat(xs), torch.cat(labels), torch.cat(eps)

    def row_with_x(self, x: torch.Tensor, rows: list[int]) -> int | None:
        return next((row for row in rows if torch.equal(self.x[row], x)), None)


class MisalignedLabels(Exception):
    """A step gave the class labels to the wrong images: the chain cannot be followed."""


def _read_step(rows: _StepRows, t: int, class_labels: list[int]):
    """(x_t, ε̂_c, ε̂_∅ or None, null labels used, problem) for one step."""
    where = f"At step t={t}"
    cond_rows = []
    for image, label in enumerate(class_labels):
        row = next((row for row in range(len(rows.labels)) if int(rows.labels[row]) == label), None)
        if row is None:
            return None, None, None, set(), (
                f"{where} no model call had image {image}'s class label {label}: the conditional prediction needs the class labels"
            )
        cond_rows.append(row)
    x_t, eps_cond = rows.x[cond_rows], rows.eps[cond_rows]
    if len({tuple(row.flatten()[:8].tolist()) for row in x_t}) < len(class_labels):
        raise MisalignedLabels(
            f"{where} the class labels went with the wrong images: some images were predicted under two labels and others under none"
        )
    other = [row for row in range(len(rows.labels)) if int(rows.labels[row]) not in class_labels]
    if not other:
        return x_t, eps_cond, None, set(), (
            f"{where} the model was only called with the class labels: there is no unconditional prediction (null label {NUM_CLASSES})"
        )
    uncond_rows = [rows.row_with_x(x_t[image], other) for image in range(len(class_labels))]
    used = {int(rows.labels[row]) for row in other}
    if any(row is None for row in uncond_rows):
        return x_t, eps_cond, None, used, f"{where} the unconditional call was not given the same images x_t as the conditional one"
    problem = None
    if used != {NUM_CLASSES}:
        labelled = ", ".join(map(str, sorted(used)))
        problem = f"{where} the unconditional rows were labelled {labelled}; the null class is num_classes = {NUM_CLASSES}"
    return x_t, eps_cond, rows.eps[uncond_rows], used, problem


def _captured_like(x: torch.Tensor, call_x: Capture) -> Capture:
    """``call_x``, a captured tensor, holding ``x`` instead."""
    if call_x["kind"] != "tensor":
        raise TypeError(f"a step's x is a tensor once its calls pass _call_problem, not {compare.describe(call_x)}")
    return {**call_x, "data": x.detach().cpu()}


def cfg_chain(
    model_calls: list[ModelCall], returned: Capture | None, shape: tuple[int, ...], class_labels: list[int], device: torch.device
) -> tuple[Chain, str | None, set[int], bool]:
    """The learner's chain and what its labels looked like: (chain, label problem, null labels used,
    whether a step paired the class labels with the wrong images)."""
    call_problem = next(
        (
            f"The {ordinal(k + 1)} model call: {problem}"
            for k, call in enumerate(model_calls)
            if (problem := _call_problem(call, shape, device))
        ),
        None,
    )
    groups = _steps_of_calls(model_calls)
    given = [single_value(model_calls[group[0]]["t"]) for group in groups]
    model = RecordingNoiseModel(conditional=True).to(device)
    steps: list[Step] = []
    label_problem: str | None = None
    null_used: set[int] = set()
    misaligned = False
    for k, group in enumerate(groups[:STEPS]):
        if any(_call_problem(model_calls[index], shape, device) for index in group):
            break
        t_k = given[k]
        if t_k is None:  # _call_problem has checked that t holds one timestep
            break
        try:
            x_t, eps_cond, eps_uncond, used, problem = _read_step(_StepRows(model_calls, group, model, device), t_k, class_labels)
        except MisalignedLabels as mistake:
            label_problem, misaligned = label_problem or str(mistake), True
            break
        label_problem = label_problem or problem
        null_used |= used
        if x_t is None:
            break
        if eps_uncond is None:  # what the step should have used: the prediction for the null class
            t = torch.full((shape[0],), t_k, dtype=torch.long, device=device)
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
        t_values=[first_number(model_calls[group[0]]["t"]) for group in groups],
    )
    return chain, label_problem, null_used, misaligned


# ---------------------------------------------------------------------------------------------


# The guided prediction as g_c·ε_c + g_∅·ε_∅: the right weights and the ones learners write instead.
W = GUIDANCE_SCALE
WEIGHTINGS = (
    ((W, 1 - W), None),
    ((W, -W), "w·(ε_c − ε_∅): the difference alone, without the ε_∅ it should be added to"),
    ((W / (1 + W), 1 / (1 + W)), "(ε_∅ + w·ε_c)/(1 + w): a weighted average, which never leaves the segment between the two predictions"),
    ((0.0, 1.0), "ε_∅ alone: the unconditional prediction, which ignores the class"),
    ((1 + W, -W), "(1 + w)·ε_c − w·ε_∅: the course's convention, whose w is this drill's w − 1"),
)


def guidance_diagnosis(chain: Chain, schedule: dict[str, torch.Tensor]) -> list[Diagnosis]:
    """Each step fitted as a·x_t + c_c·ε_c + c_∅·ε_∅ (+ noise); when the scale a is the reverse mean's, the
    guidance weights g = −c·√α_t/(β_t/√(1 − ᾱ_t)) are read off, pooled over the steps by their standard
    errors, and named (silent when the scale is off or the steps disagree)."""
    estimates, spreads = [], []
    for step in chain.steps:
        if step.t == 0 or step.x_next is None or step.eps_uncond is None or step.x_next.shape != step.x.shape:
            continue
        rows, errors, _ = coefficients.fit_with_errors(
            step.x_next.reshape(1, -1), [step.x.reshape(1, -1), step.eps_cond.reshape(1, -1), step.eps_uncond.reshape(1, -1)]
        )
        scale = 1 / float(schedule["sqrt_alpha"][step.t])
        if abs(float(rows[0, 0]) - scale) > 5 * float(errors[0, 0]) + 2e-3 * scale:
            return []
        k = float(schedule["betas"][step.t] / schedule["sqrt_one_minus_alpha_bar"][step.t]) * scale
        estimates.append(-rows[0, 1:] / k)
        spreads.append(errors[0, 1:] / k)
    if len(estimates) < 3:
        return []
    g, se = torch.stack(estimates), torch.stack(spreads).clamp_min(1e-9)
    pooled = (g / se**2).sum(dim=0) / (1 / se**2).sum(dim=0)
    pooled_se = (1 / (1 / se**2).sum(dim=0)).sqrt()
    if bool(((g - pooled).abs() > 6 * se).float().mean() > 0.1):
        return []
    g_cond, g_uncond = (float(value) for value in pooled)
    tolerance = (5 * pooled_se + 0.02).tolist()
    for (right_cond, right_uncond), name in WEIGHTINGS:
        if abs(g_cond - right_cond) < tolerance[0] and abs(g_uncond - right_uncond) < tolerance[1]:
            if name is None:
                return []
            explanation = f"Your guided prediction is {name}."
            break
    else:
        explanation = f"Your guided prediction is {g_cond:.3g}·ε_c + {g_uncond:.3g}·ε_∅ at every step."
    return [Diagnosis(
        "cfg.guidance_weights", "The guided prediction mixes ε_c and ε_∅ with the wrong weights",
        f"{explanation} Classifier-free guidance extrapolates from the unconditional prediction towards the conditional one: "
        f"ε̂ = ε_∅ + w·(ε_c − ε_∅) = w·ε_c + (1 − w)·ε_∅, here {W:g}·ε_c + {1 - W:g}·ε_∅ with w = {W:g}.",
        "Write `eps = eps_uncond + guidance_scale * (eps_cond - eps_uncond)`.",
    )]


MISALIGNED = Diagnosis(
    "cfg.labels_misaligned", "Class labels paired with the wrong images",
    "In the doubled batch your images and labels are not in the same order: x was repeated image by image "
    "(repeat_interleave) while the labels are all class labels, then all null labels, so images get other images' labels.",
    "Double both the same way: `torch.cat([x, x])` with `torch.cat([class_labels, null_labels])`.",
)


def labels_verdict(label_problem: str | None) -> Verdict:
    if label_problem:
        return failed("The conditional and unconditional predictions are not both there at every step.", label_problem + ".")
    return passed(f"Every step predicts with the class labels and with the null class {NUM_CLASSES}, on the same x_t")


def label_keys(chain: Chain, null_used: set[int]) -> list[str]:
    if chain.steps and not null_used:
        return ["cfg.single_pass"]
    if null_used and NUM_CLASSES not in null_used:
        return ["cfg.wrong_null_label"]
    return []


class SampleCFG(DrillChecks):
    @single_threaded()
    def probe(self, module, device, attempt):
        sample_cfg = entry(module, "sample_cfg")
        runs = {}
        for name, (shape, labels) in CASES.items():
            model = RecordingNoiseModel(conditional=True).to(device)
            class_labels = torch.tensor(labels, dtype=torch.long, device=device)
            torch.manual_seed(SEED)  # reproducible runs; no check depends on which draws the learner makes
            result = attempt(sample_cfg, model, shape, make_schedule(device), class_labels, GUIDANCE_SCALE, NUM_CLASSES, device)
            runs[name] = {"result": result, "model_calls": model.calls}
        return runs

    @single_threaded()
    def grade(self, record, device, grading):
        checks = ChainChecks(STEPS, double_schedule(make_schedule(device)), GUIDED)
        for name, (shape, class_labels) in CASES.items():
            run = record[name]
            returned = run["result"]["value"] if run["result"]["ok"] else None
            chain, label_problem, null_used, misaligned = cfg_chain(run["model_calls"], returned, shape, class_labels, device)
            if name != "main":
                labelled_chain = replace(chain, call_problem=chain.call_problem or label_problem)
                checks.grade_second(grading, name, labelled_chain, run["result"], shape, device)
                continue
            labels_check = ("behaviour.labels", labels_verdict(label_problem) if chain.steps else None)
            reused = checks.grade_main(grading, chain, run["result"], shape, device, call_checks=[labels_check])
            if reused is None:
                for diagnosis in checks.error_diagnoses(run["result"], "sample"):
                    grading.add_diagnosis(diagnosis)
                continue
            keys = checks.pattern_keys(chain, reused, KEYS) + label_keys(chain, null_used)
            if misaligned:
                grading.add_diagnosis(MISALIGNED)
            if "cfg.single_pass" not in keys:  # without ε̂_∅ no guidance rule can be fitted
                keys += checks.law_keys(chain, CFG_LAWS)
            for key in keys:
                grading.diagnose(key)
            if not keys and not grading.all_passed():
                weights = guidance_diagnosis(chain, checks.schedule)
                guided = [replace(step, eps_cond=GUIDED.eps(step), eps_uncond=None) for step in chain.steps]
                for diagnosis in weights or step_diagnoses(replace(chain, steps=guided), checks.schedule, "sample"):
                    grading.add_diagnosis(diagnosis)


checks = SampleCFG()
