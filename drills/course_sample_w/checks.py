"""Grading the course's ``sample_w(model, c, w)`` by what it does, step by step.

The learner's sample_w is called as the assessment's grader calls it (``sample_w(model, c_hot,
w=w)``) with a stand-in for the U-Net that records every call and answers with a fixed function
of (x, t, c · c_mask), and with the module's ``reverse_q`` replaced by a recorder that takes the
course's step with noise the grader can regenerate. The grader then replays the course's sampler
from the learner's own starting noise and checks, at every step:

- the model saw each image twice at the current x_t, once with its context and once with an
  all-zero one (a doubled batch, or two calls), at t = i for i from T − 1 down to 0;
- reverse_q received (1 + w)·e_keep − w·e_drop, computed from what the model answered;
- the returned images are the chain's last x_t, and the starting noise is standard normal.

A wrong guidance is named from the catalog or by fitting it, per image, as α·e_keep + β·e_drop
and naming α and β among the expressions of w a learner may write (w, 1 − w, −(1 + w), …).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from drills.common.course_probe import globals_to
from engine.drills import compare
from engine.drills.capture import entry
from engine.drills.grading import Grading, Verdict, failed, passed
from engine.drills.plugin import DrillChecks
from engine.drills.results import Diagnosis
from engine.drills.toolkit import coefficients
from engine.drills.toolkit.functions import tensors
from reference.course import ASSESSMENT_SCHEDULE, N_CLASSES

T = ASSESSMENT_SCHEDULE.T


@dataclass(frozen=True)
class SampleCase:
    name: str
    digits: tuple[int, ...]
    w: float
    img_ch: int
    img_size: int

    @property
    def label(self) -> str:
        return f"the '{self.name}' call (w = {self.w}, {len(self.digits)} images of {self.img_ch}×{self.img_size}×{self.img_size})"

    def context(self, device: torch.device) -> torch.Tensor:
        """The one-hot contexts, int64 as the assessment's grader sends them."""
        return nn.functional.one_hot(torch.tensor(self.digits), N_CLASSES).to(device)

    @property
    def shape(self) -> tuple[int, int, int, int]:
        return (len(self.digits), self.img_ch, self.img_size, self.img_size)


CASES = (
    # As the assessment's grader calls it: five images of one digit, MNIST's size, w = 1.
    SampleCase("grader_like", (3, 3, 3, 3, 3), 1.0, 1, 28),
    # w = 0 is plain conditional sampling.
    SampleCase("plain", (0, 7), 0.0, 1, 12),
    # Colour images and a strong guidance (the flowers notebook's shapes).
    SampleCase("strong", (1, 2, 4, 8), 2.5, 3, 8),
)


# ---- the stand-in U-Net and the reverse step, the same in the child and in the grader ----------

def _fixed(case: SampleCase, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(8100 + len(case.name))
    pixels = case.img_ch * case.img_size * case.img_size
    projection = torch.randn(N_CLASSES, pixels, generator=generator) / math.sqrt(N_CLASSES)
    pattern = torch.randn(case.img_ch, case.img_size, case.img_size, generator=generator)
    return projection.to(device), pattern.to(device)


def context_of(c: torch.Tensor, c_mask: torch.Tensor) -> torch.Tensor:
    """What the course's U-Net conditions on: the context times its mask."""
    return c.float() * c_mask.float()


def model_answer(case: SampleCase, x: torch.Tensor, t: torch.Tensor, c: torch.Tensor, c_mask: torch.Tensor) -> torch.Tensor:
    """A fixed, deterministic noise prediction from (x, t, c · c_mask): every input changes it."""
    projection, pattern = _fixed(case, x.device)
    context = context_of(c, c_mask)
    steps = t.float().reshape(-1)
    if context.shape != (x.shape[0], N_CLASSES):
        raise ValueError(f"the model got x with {x.shape[0]} images but c · c_mask of shape {tuple(context.shape)}")
    if steps.numel() not in (1, x.shape[0]):
        raise ValueError(f"the model got x with {x.shape[0]} images but t with {steps.numel()} values")
    return 0.3 * x + (context @ projection).view(x.shape) + (steps / T).view(-1, 1, 1, 1) * pattern


def step_noise(k: int, shape: torch.Size, device: torch.device) -> torch.Tensor:
    """The noise the recorded reverse_q adds at its k-th call."""
    return torch.randn(shape, generator=torch.Generator().manual_seed(9000 + k)).to(device)


def course_step(x_t: torch.Tensor, i: int, e_t: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """The course's reverse step at step i with the noise z."""
    s = ASSESSMENT_SCHEDULE.to(x_t.device)
    u_t = s.sqrt_a_inv[i] * (x_t - s.pred_noise_coeff[i] * e_t)
    return u_t if i == 0 else u_t + torch.sqrt(s.B[i - 1]) * z


class _Model(nn.Module):
    """The stand-in U-Net the learner's sample_w gets: it records each call's inputs."""

    def __init__(self, case: SampleCase, device: torch.device, recorder: _Reverse):
        super().__init__()
        self.anchor = nn.Parameter(torch.zeros((), device=device))  # so that .parameters() and .to() work
        self.case, self.recorder = case, recorder
        self.calls: list[dict[str, Any]] = []

    def forward(self, x: torch.Tensor, t: torch.Tensor, c: torch.Tensor, c_mask: torch.Tensor) -> torch.Tensor:
        self.calls.append({"step": len(self.recorder.calls), "x": x.detach().cpu().clone(), "t": t.detach().cpu().clone(),
                           "c": c.detach().cpu().clone(), "c_mask": c_mask.detach().cpu().clone()})
        return model_answer(self.case, x, t, c, c_mask)


class _Reverse:
    """Stands in for the module's reverse_q: records each call and takes the course's step."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, x_t: torch.Tensor, t: torch.Tensor, e_t: torch.Tensor) -> torch.Tensor:
        k = len(self.calls)
        self.calls.append({"x": x_t.detach().cpu().clone(), "t": t.detach().cpu().clone(), "e": e_t.detach().cpu().clone()})
        if x_t.shape != e_t.shape:
            raise ValueError(f"reverse_q got x_t of shape {tuple(x_t.shape)} but e_t of shape {tuple(e_t.shape)}")
        return course_step(x_t, int(t.flatten()[0]), e_t, step_noise(k, x_t.shape, x_t.device))


# ---- what the grader reconstructs from the record ---------------------------------------------

@dataclass
class Step:
    """One step of the learner's chain: the model's rows and what reverse_q received."""

    i: int
    x: torch.Tensor  # the x_t this step started from (what reverse_q received)
    rows_x: torch.Tensor  # every x row the model saw in this step, in order
    rows_t: torch.Tensor
    rows_context: torch.Tensor  # c · c_mask per row
    rows_answer: torch.Tensor  # what the model answered per row
    e: torch.Tensor  # what reverse_q received as e_t
    t: torch.Tensor  # what reverse_q received as t


@dataclass
class Chain:
    steps: list[Step] = field(default_factory=list)
    problem: str = ""  # why the steps could not be assembled


def assemble(case: SampleCase, call: dict[str, Any], device: torch.device) -> Chain:
    """The learner's chain from the recorded calls, the model's answers recomputed here."""
    chain = Chain()
    reverse, model = call["reverse"], call["model"]
    for k, received in enumerate(reverse):
        calls = [m for m in model if m["step"] == k]
        if not calls:
            chain.problem = f"reverse_q was called without a model call before it (call {k + 1})."
            return chain
        try:
            answers = [model_answer(case, *(m[key].to(device) for key in ("x", "t", "c", "c_mask"))) for m in calls]
            rows_t = torch.cat([m["t"].to(device).float().reshape(-1).expand(m["x"].shape[0]) for m in calls])
        except (ValueError, RuntimeError) as error:
            chain.problem = f"the model could not run on what sample_w passed it: {error}"
            return chain
        chain.steps.append(Step(
            i=T - 1 - k,
            x=received["x"].to(device),
            rows_x=torch.cat([m["x"].to(device) for m in calls]),
            rows_t=rows_t,
            rows_context=torch.cat([context_of(m["c"].to(device), m["c_mask"].to(device)) for m in calls]),
            rows_answer=torch.cat(answers),
            e=received["e"].to(device),
            t=received["t"].to(device),
        ))
    return chain


def halves(step: Step, c: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor] | str:
    """The rows of e_keep and e_drop in sample order, or why this step's model rows are not a
    kept half and a dropped half of the current images."""
    n = len(c)
    if step.rows_x.shape[0] != 2 * n:
        return f"the model saw {step.rows_x.shape[0]} images at step {step.i}; the doubled batch has {2 * n} (each image twice)"
    first, second = slice(0, n), slice(n, 2 * n)
    kept = [part for part in (first, second) if torch.equal(step.rows_context[part], c.float())]
    dropped = [part for part in (first, second) if bool((step.rows_context[part] == 0).all())]
    if not kept or not dropped or kept[0] == dropped[0]:
        return (f"at step {step.i} one half of the model's batch should see each image's context (c · c_mask = c) and the "
                "other an all-zero context (c · c_mask = 0)")
    for part in (first, second):
        if step.rows_x[part].shape != step.x.shape or not compare.matches(step.rows_x[part], step.x, atol=1e-6, rtol=1e-6):
            return f"at step {step.i} both halves of the model's batch should hold the current images x_t"
    return step.rows_answer[kept[0]], step.rows_answer[dropped[0]]


def replay(case: SampleCase, x_start: torch.Tensor, guidance: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> torch.Tensor:
    """The course's sampler from ``x_start`` with the stand-in model, the given guidance and the recorder's noise."""
    c = case.context(x_start.device)
    n = len(c)
    x = x_start
    c2 = c.float().repeat(2, 1)
    mask = torch.ones_like(c2)
    mask[n:] = 0
    for k in range(T):
        i = T - 1 - k
        answer = model_answer(case, x.repeat(2, 1, 1, 1), torch.full((2 * n,), i, device=x.device), c2, mask)
        x = course_step(x, i, guidance(answer[:n], answer[n:]), step_noise(k, x.shape, x.device))
    return x


def course_guidance(w: float) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    return lambda keep, drop: (1 + w) * keep - w * drop


class CourseSampleW(DrillChecks):
    entry = "sample_w"

    # ---- in the sandboxed child -------------------------------------------------------------

    def probe(self, module, device, attempt):
        globals_to(module, device)
        sample_w = entry(module, self.entry)
        record = {}
        for case in CASES:
            module.IMG_CH, module.IMG_SIZE = case.img_ch, case.img_size
            recorder = _Reverse()
            module.reverse_q = recorder  # the learner's sample_w looks reverse_q up in its module
            model = _Model(case, device, recorder)
            call = attempt(sample_w, model, case.context(device), w=case.w)
            call["model"], call["reverse"] = model.calls, recorder.calls
            record[case.name] = call
        return record

    # ---- in the grader ----------------------------------------------------------------------

    def grade(self, record, device, grading):
        chains: dict[str, Chain] = {}
        for case in CASES:
            call = record[case.name]
            chains[case.name] = assemble(case, call, device)
            self._grade_case(case, call, chains[case.name], device, grading)
        self._grade_structure(record, chains, device, grading)
        if grading.all_passed():
            return
        keys = recognised(record, chains, device)
        for key in keys:
            grading.diagnose(key)
        if not keys:
            for diagnosis in guidance_diagnoses(chains, device):
                grading.add_diagnosis(diagnosis)

    def _grade_case(self, case: SampleCase, call: dict[str, Any], chain: Chain, device: torch.device, grading: Grading) -> None:
        shape_id, formula_id = f"shape.{case.name}", f"formula.{case.name}"
        if not call["ok"]:
            grading.error(shape_id, f"Your sample_w raised for {case.label}:\n{call['error']}")
            grading.skip(formula_id, "Not checked: your sample_w raised.")
            return
        grading.check(shape_id, compare.layout(f"The images for {case.label}", call["value"], case.shape, torch.float32, device))
        verdict = self._guidance_verdict(case, chain, device)
        if verdict is None:
            grading.skip(formula_id, "Not checked: the guidance is checked once every step runs the model on a kept and a dropped half.")
        else:
            grading.check(formula_id, verdict)

    def _guidance_verdict(self, case: SampleCase, chain: Chain, device: torch.device) -> Verdict | None:
        c = case.context(device)
        if chain.problem or not chain.steps:
            return None
        for step in chain.steps:
            split = halves(step, c)
            if isinstance(split, str):
                return None
            expected = course_guidance(case.w)(*split)
            if step.e.shape != expected.shape or not compare.matches(step.e, expected, atol=1e-5, rtol=1e-4):
                _, detail = compare.closeness(step.e, expected, 1e-5, 1e-4)
                return failed(f"At step {step.i} of {case.label}, reverse_q received an e_t that is not "
                              f"(1 + w)·e_keep − w·e_drop of the model's answers.", detail)
        return passed(f"Every step of {case.label} guided with (1 + w)·e_keep − w·e_drop")

    def _grade_structure(self, record, chains: dict[str, Chain], device: torch.device, grading: Grading) -> None:
        ran = [(case, record[case.name], chains[case.name]) for case in CASES if record[case.name]["ok"]]
        if not ran:
            for check in ("behaviour.doubled_batch", "behaviour.timesteps", "behaviour.initial_noise", "formula.chain"):
                grading.skip(check, "Not checked: your sample_w must run first.")
            return
        grading.check("behaviour.doubled_batch", self._doubled_verdict(ran, device))
        grading.check("behaviour.timesteps", self._timesteps_verdict(ran))
        grading.check("behaviour.initial_noise", self._initial_verdict(ran, device))
        grading.check("formula.chain", self._chain_verdict(ran, device))

    @staticmethod
    def _doubled_verdict(ran, device: torch.device) -> Verdict:
        for case, _, chain in ran:
            if chain.problem:
                return failed(f"In {case.label}, {chain.problem}")
            if len(chain.steps) != T:
                return failed(f"In {case.label}, reverse_q was called {len(chain.steps)} times; the sampler takes T = {T} steps, "
                              "each ending with one call of reverse_q.")
            for step in chain.steps:
                split = halves(step, case.context(device))
                if isinstance(split, str):
                    return failed(f"In {case.label}, {split}.")
        return passed("Every step ran the model on each image twice, with its context kept and dropped (c_mask 1 and 0)")

    @staticmethod
    def _timesteps_verdict(ran) -> Verdict:
        for case, _, chain in ran:
            for step in chain.steps:
                if not bool((step.rows_t == step.i).all()):
                    seen = sorted({round(float(v), 4) for v in step.rows_t.unique()[:3]})
                    return failed(f"In {case.label}, the model should get t = {step.i} for every image at that step; it got {seen}.")
                if not bool((step.t.float() == step.i).all()):
                    return failed(f"In {case.label}, reverse_q should get t = {step.i} at that step; it got "
                                  f"{float(step.t.flatten()[0]):g}.")
            if len(chain.steps) != T:
                return failed(f"In {case.label}, the chain has {len(chain.steps)} steps; it runs from T − 1 = {T - 1} down to 0.")
        return passed(f"The model and reverse_q got t = {T - 1}, {T - 2}, …, 0, the same for every image")

    @staticmethod
    def _initial_verdict(ran, device: torch.device) -> Verdict:
        case, _, chain = ran[0]
        if not chain.steps:
            return failed(f"In {case.label}, reverse_q was never called, so the starting images are unknown.")
        start = chain.steps[0].x
        if start.shape != case.shape:
            return failed(f"The starting x_t for {case.label} has shape {tuple(start.shape)}; it should be {case.shape}.")
        if len(start) > 1 and compare.matches(start[0], start[1]):
            return failed("Every image starts from the same noise: draw the starting x_t for the whole batch at once.")
        return compare.standard_normal(f"The starting x_t for {case.label}", start)

    @staticmethod
    def _chain_verdict(ran, device: torch.device) -> Verdict:
        for case, call, chain in ran:
            if not chain.steps:
                return failed(f"In {case.label}, reverse_q was never called: sample_w must call it once per step.")
            expected = replay(case, chain.steps[0].x, course_guidance(case.w))
            output = tensors(call["value"], device)
            if not isinstance(output, torch.Tensor) or output.shape != expected.shape:
                return failed(f"The images returned for {case.label} are not a tensor of shape {case.shape}.")
            verdict = compare.values(f"The images returned for {case.label}", output, expected, atol=1e-4, rtol=1e-3)
            if not verdict.ok:
                return failed(f"The images returned for {case.label} are not the course's sampler's from your starting noise.",
                              verdict.evidence)
        return passed("The returned images are the course's sampler's, from your starting noise")

def recognised(record, chains: dict[str, Chain], device: torch.device) -> list[str]:
    """The catalogued mistakes, from the recorded calls."""
    for case in CASES:
        call = record[case.name]
        n = len(case.digits)
        models, reverses = call["model"], call["reverse"]
        if models and models[0]["c_mask"].dim() == 1:
            return ["sample_w.mask_per_sample"]
        if models and models[0]["x"].shape[0] == n and models[0]["c"].shape[0] == 2 * n:
            return ["sample_w.x_not_doubled"]
        if reverses and reverses[0]["x"].shape[0] == 2 * n:
            return ["sample_w.not_deduplicated"]
        if models and bool((context_of(models[0]["c"], models[0]["c_mask"]) != 0).any(dim=1).all()) and models[0]["x"].shape[0] == 2 * n:
            return ["sample_w.mask_not_zeroed"]
        if models and abs(float(models[0]["t"].float().flatten()[0]) - (T - 1) / T) < 1e-6:
            return ["sample_w.t_divided"]
        value = call.get("value") if call["ok"] else None
        if value is not None and value["kind"] == "seq" and value["items"] and value["items"][0]["kind"] == "tensor":
            return ["sample_w.returns_store"]
    guidance = _guidance_match(chains, device)
    if guidance:
        return [guidance]
    for case in CASES:
        call, chain = record[case.name], chains[case.name]
        if call["ok"] and call["value"]["kind"] == "tensor" and chain.steps:
            expected = replay(case, chain.steps[0].x, course_guidance(case.w))
            output = tensors(call["value"], device)
            if isinstance(output, torch.Tensor) and compare.matches(output, (expected + 1) / 2, atol=1e-4, rtol=1e-3):
                return ["sample_w.rescaled_output"]
    return []


GUIDANCE_VARIANTS: dict[str, Callable[[float], Callable[[torch.Tensor, torch.Tensor], torch.Tensor]]] = {
    "guidance.lesson_scale": lambda w: lambda keep, drop: drop + w * (keep - drop),
    "guidance.halves_swapped": lambda w: lambda keep, drop: (1 + w) * drop - w * keep,
}


def _guidance_match(chains: dict[str, Chain], device: torch.device) -> str:
    """The catalogued guidance whose e_t reverse_q received at every step of every case."""
    for key, variant in GUIDANCE_VARIANTS.items():
        matched = 0
        for case in CASES:
            chain = chains[case.name]
            for step in chain.steps:
                split = halves(step, case.context(device))
                if isinstance(split, str):
                    continue
                predicted = variant(case.w)(*split)
                if step.e.shape != predicted.shape or not compare.matches(step.e, predicted, atol=1e-5, rtol=1e-4):
                    matched = -1
                    break
                matched += 1
            if matched < 0:
                break
        if matched > 0:
            return key
    return ""


# Expressions of w a learner may weigh e_keep or e_drop with, in order of preference.
W_EXPRESSIONS: dict[str, Callable[[float], float]] = {
    "1 + w": lambda w: 1 + w, "−w": lambda w: -w, "w": lambda w: w, "1 − w": lambda w: 1 - w, "−(1 + w)": lambda w: -1 - w,
    "w − 1": lambda w: w - 1, "1": lambda w: 1.0, "0": lambda w: 0.0, "−1": lambda w: -1.0, "2w": lambda w: 2 * w,
    "1 + 2w": lambda w: 1 + 2 * w,
}
ROLES = (("keep", "e_keep (the kept half)", "1 + w"), ("drop", "e_drop (the dropped half)", "−w"))


def guidance_diagnoses(chains: dict[str, Chain], device: torch.device) -> list[Diagnosis]:
    """Fit e_t = α·e_keep + β·e_drop at every step and name α and β from W_EXPRESSIONS (silent
    when e_t is not such a combination)."""
    fitted: dict[str, list[tuple[float, float]]] = {}
    for case in CASES:
        values = []
        for step in chains[case.name].steps:
            split = halves(step, case.context(device))
            if isinstance(split, str) or step.e.shape != split[0].shape:
                return []
            rows, residual = coefficients.fit(step.e, list(split))
            if bool((residual > coefficients.RESIDUAL_LIMIT).any()):
                return []
            values += [(float(a), float(b)) for a, b in rows]
        if values:
            fitted[case.name] = values
    if not fitted:
        return []
    found = []
    for index, (role, what, right) in enumerate(ROLES):
        per_case = {name: [pair[index] for pair in pairs] for name, pairs in fitted.items()}
        w_of = {case.name: case.w for case in CASES}
        if all(_equal(vals, W_EXPRESSIONS[right](w_of[name])) for name, vals in per_case.items()):
            continue
        match = next((symbol for symbol, value in W_EXPRESSIONS.items()
                      if all(_equal(vals, value(w_of[name])) for name, vals in per_case.items())), None)
        if match is None:
            sample = "; ".join(f"at w = {w_of[name]} yours is {vals[0]:.4g}, the course's {W_EXPRESSIONS[right](w_of[name]):.4g}"
                               for name, vals in per_case.items())
            found.append(Diagnosis(f"guidance.{role}_weight", f"Wrong weight on {what}",
                                   f"Your e_t weighs {what} by no simple expression of w: {sample}.",
                                   "e_t = (1 + w) * e_t_keep_c - w * e_t_drop_c."))
        else:
            found.append(Diagnosis(f"guidance.{role}_weight", f"{what} weighed by {match}, not {right}",
                                   f"Your e_t weighs {what} by {match} at every w; the course weighs it by {right}.",
                                   "e_t = (1 + w) * e_t_keep_c - w * e_t_drop_c."))
    return found


def _equal(values: Sequence[float], expected: float) -> bool:
    return all(abs(value - expected) <= 1e-3 * max(1.0, abs(expected)) for value in values)


checks = CourseSampleW()
