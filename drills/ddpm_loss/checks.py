"""Grading train_step by its behaviour, observed through a recording model and optimizer.

The probe runs a few training steps on one tiny noise predictor with plain SGD (so that the
update is predictable) and records what the learner's code did: every model input and output,
the gradient that reached the output, the order of forward / backward / zero_grad / step, and the
parameters before and after each step. The grader then recovers the noise ε from x_t, x_0 and t
(x_t = √ᾱ_t·x_0 + √(1−ᾱ_t)·ε), checks that it is standard normal, recomputes the loss and the
gradient itself, and compares the SGD update.

A mistake is named from the same record. The gradient at the model's output, with the returned
loss, gives the target the loss compared the prediction with and how it was reduced
(toolkit/lossgrad): the clean image, a sum instead of a mean. Fitting x_t, image by image, as
a·x_0 + b·target then names a wrong coefficient from the schedule's expressions (toolkit/
coefficients). The timesteps the model received say whether t is drawn per image and over all of
0 … T − 1, and the calls' order names a misplaced zero_grad, step or backward.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import torch
import torch.nn.functional as F

from drills.common.schedule_terms import schedule_terms
from engine.drills import compare
from engine.drills.capture import Attempt, capture, entry
from engine.drills.grading import Grading, Verdict, failed, passed
from engine.drills.plugin import DrillChecks
from engine.drills.records import ProbeRecord
from engine.drills.results import Diagnosis
from engine.drills.toolkit import coefficients, layouts
from engine.drills.toolkit.lossgrad import squared_error_target
from reference import cosine_beta_schedule, extract, precompute_schedule

AREA = "loss"
T = 20
CHANNELS = 3
LEARNING_RATE = 0.05
# Batch, height and width differ in most steps, and the third has batch == width. 224 timesteps
# in all: a correct sampler draws every one of the T = 20 values (each is missed with probability
# (19/20)^224 ≈ 1e-5). Every tensor stays under torch's parallel grain size (32768 elements), so
# that no OpenMP thread pool is used on either side of the sandbox's fork, where it can deadlock.
BATCHES = [(64, CHANNELS, 5, 7), (64, CHANNELS, 6, 4), (32, CHANNELS, 5, 32), (64, CHANNELS, 4, 5)]
PARAMETERS = ("weight", "step_bias")
Schedule = dict[str, torch.Tensor]


def make_schedule(device: torch.device) -> Schedule:
    return {key: value.to(device) for key, value in precompute_schedule(cosine_beta_schedule(T)).items()}


def make_batch(step: int, device: torch.device) -> torch.Tensor:
    generator = torch.Generator().manual_seed(500 + step)
    return (torch.rand(BATCHES[step], generator=generator) * 2 - 1).to(device)


def initial_parameters(device: torch.device) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(77)
    weight = torch.eye(CHANNELS) + 0.1 * torch.randn(CHANNELS, CHANNELS, generator=generator)
    step_bias = 0.1 * torch.randn(T, CHANNELS, generator=generator)
    return {"weight": weight.to(device), "step_bias": step_bias.to(device)}


def usable_steps(t, batch: int, device: torch.device) -> torch.Tensor | None:
    """The timesteps the model can use, read leniently so that a wrong t is reported, not crashed on."""
    if isinstance(t, int) and not isinstance(t, bool):
        t = torch.tensor([t])
    if not isinstance(t, torch.Tensor) or t.numel() not in (1, batch):
        return None
    return t.reshape(-1).to(device).long().clamp(0, T - 1).expand(batch)


def predict(weight: torch.Tensor, step_bias: torch.Tensor, x: torch.Tensor, t) -> torch.Tensor:
    """The noise predictor: a 1×1 channel mix plus a learned bias per timestep.

    The mix is written out per output channel rather than with einsum or conv, which would go
    through a BLAS that starts threads (see BATCHES)."""
    out = torch.stack([(row.view(1, -1, 1, 1) * x).sum(dim=1) for row in weight], dim=1)
    steps = usable_steps(t, x.shape[0], x.device)
    return out if steps is None else out + step_bias[steps][:, :, None, None]


class RecordingModel(torch.nn.Module):
    def __init__(self, device: torch.device, events: list[str], inputs: list[dict[str, Any]]):
        super().__init__()
        initial = initial_parameters(device)
        self.weight = torch.nn.Parameter(initial["weight"])
        self.step_bias = torch.nn.Parameter(initial["step_bias"])
        self.events, self.inputs = events, inputs

    def forward(self, x, t=None):
        self.events.append("forward")
        out = predict(self.weight, self.step_bias, x, t)
        call = {"x": capture(x), "t": capture(t), "out": capture(out), "grad": None}
        self.inputs.append(call)
        if out.requires_grad:
            out.register_hook(lambda grad: self._backward_reached(call, grad))
        return out

    def _backward_reached(self, call, grad):
        self.events.append("backward")
        call["grad"] = capture(grad)

    def zero_grad(self, set_to_none: bool = True):
        self.events.append("zero_grad")
        super().zero_grad(set_to_none)


class RecordingSGD:
    """Plain SGD (p ← p − lr·grad) that records its calls.

    It has the interface train_step uses (zero_grad, step, param_groups) without subclassing
    torch.optim.Optimizer, whose constructor imports torch._dynamo: about a second per run.
    """

    def __init__(self, params, events: list[str]):
        self.param_groups: list[dict[str, Any]] = [{"params": list(params), "lr": LEARNING_RATE}]
        self.events = events

    def _params(self):
        return [param for group in self.param_groups for param in group["params"]]

    def zero_grad(self, set_to_none: bool = True):
        self.events.append("zero_grad")
        for param in self._params():
            if set_to_none:
                param.grad = None
            elif param.grad is not None:
                param.grad.zero_()

    @torch.no_grad()
    def step(self, closure=None):
        self.events.append("step")
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is not None:
                    param.add_(param.grad, alpha=-group["lr"])


def _snapshot(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {name: getattr(model, name).detach().to("cpu").clone() for name in PARAMETERS}




# ---- what the record says ------------------------------------------------------------------------


@dataclass
class Replay:
    """One answered step as the grader recomputes it: ε recovered from x_t = √ᾱ_t·x_0 + √(1−ᾱ_t)·ε,
    the model's prediction, the expected loss and its gradient at the parameters before the step."""

    index: int
    step: dict[str, Any]
    t: torch.Tensor
    x_0: torch.Tensor
    x_t: torch.Tensor
    noise: torch.Tensor
    prediction: torch.Tensor
    loss: float
    gradients: dict[str, torch.Tensor]

    @property
    def call(self) -> dict[str, Any]:
        call: dict[str, Any] = self.step["inputs"][0]
        return call


def _loss_value(captured: dict[str, Any]) -> float | None:
    """The returned loss: a Python float, or (leniently, for the values) a one-element tensor."""
    if captured["kind"] == "py" and isinstance(captured["value"], float):
        return captured["value"]
    if captured["kind"] == "tensor" and captured["data"].numel() == 1:
        return float(captured["data"])
    return None


def _timesteps(captured: dict[str, Any], batch: int) -> torch.Tensor | None:
    """The (B,) integer timesteps a model call received; one shared timestep (a single number) is
    spread over the batch, so that it is graded (and named) rather than skipped."""
    if captured["kind"] == "py" and type(captured["value"]) is int:
        return torch.full((batch,), captured["value"], dtype=torch.long)
    if captured["kind"] != "tensor" or captured["data"].is_floating_point() or captured["data"].numel() not in (1, batch):
        return None
    steps: torch.Tensor = captured["data"].reshape(-1).long().expand(batch)
    return steps


def _recorded(answered: Sequence[tuple[int, dict[str, Any]]]) -> list[tuple[int, dict[str, Any], torch.Tensor]]:
    """(index, step, t) for each answered step whose model call can be replayed: one call, x_t of the
    batch's shape and integer timesteps, one per image or one for all."""
    usable = []
    for index, step in answered:
        if len(step["inputs"]) != 1:
            continue
        x, t = step["inputs"][0]["x"], _timesteps(step["inputs"][0]["t"], BATCHES[index][0])
        if x["kind"] == "tensor" and tuple(x["data"].shape) == BATCHES[index] and t is not None:
            usable.append((index, step, t))
    return usable


def _replay(index: int, step: dict[str, Any], t: torch.Tensor, schedule: Schedule, device: torch.device) -> Replay:
    x_0, x_t, t = make_batch(index, device), step["inputs"][0]["x"]["data"].to(device), t.to(device)
    signal_scale = extract(schedule["sqrt_alpha_bar"], t, 4)
    noise = (x_t - signal_scale * x_0) / extract(schedule["sqrt_one_minus_alpha_bar"], t, 4)
    parameters = {name: step["before"][name].to(device).requires_grad_(True) for name in PARAMETERS}
    prediction = predict(parameters["weight"], parameters["step_bias"], x_t, t)
    loss = F.mse_loss(prediction, noise)
    gradients = torch.autograd.grad(loss, [parameters[name] for name in PARAMETERS])
    return Replay(index, step, t, x_0, x_t, noise, prediction.detach(), float(loss.detach()),
                  {name: gradient.cpu() for name, gradient in zip(PARAMETERS, gradients)})


def _noise_along_width(replay: Replay, schedule: Schedule) -> torch.Tensor:
    """ε recovered as if the (B,) coefficients had been broadcast over the last axis (no reshape),
    which runs without an error only when the batch equals the width."""
    t = replay.t
    noise: torch.Tensor = (replay.x_t - schedule["sqrt_alpha_bar"][t] * replay.x_0) / schedule["sqrt_one_minus_alpha_bar"][t]
    return noise


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-6)


def _order_problem(events: list[str]) -> tuple[str, str] | None:
    """What is wrong with one training step's sequence of calls (a message and a catalog key, or
    "" for none), or None."""
    if events.count("forward") != 1 or "backward" not in events or events.count("step") != 1:
        return "expected one forward pass, a backward pass and one optimizer step", "loss.missing_step" if "step" not in events else ""
    forward, backward, step = events.index("forward"), events.index("backward"), events.index("step")
    if step < backward:
        return "optimizer.step() ran before loss.backward(), so it found no gradients of this batch", "loss.step_before_backward"
    if not forward < backward:
        return "expected forward → backward → step", ""
    if "zero_grad" in events[backward:step]:
        return "zero_grad ran between backward and step, so the step found no gradients", "loss.zero_grad_after_backward"
    return None


UNREPLAYABLE = "Not checked: the model never received a usable x_t and a t in [0, T)."
ROLES = (
    coefficients.Role(
        "loss.signal_coefficient", "signal coefficient (on x_0)", "√ᾱ_{t}", lambda rows: rows[:, 0],
        "Scale x_0 by √ᾱ_t: `schedule['sqrt_alpha_bar'][t]`, reshaped to (B, 1, 1, 1).",
    ),
    coefficients.Role(
        "loss.noise_coefficient", "noise coefficient (on ε)", "√(1 − ᾱ_{t})", lambda rows: rows[:, 1],
        "Scale ε by √(1 − ᾱ_t): `schedule['sqrt_one_minus_alpha_bar'][t]`, reshaped to (B, 1, 1, 1).",
    ),
)


class DdpmLoss(DrillChecks):
    def probe(self, module: ModuleType, device: torch.device, attempt: Attempt) -> ProbeRecord:
        train_step = entry(module, "train_step")
        torch.manual_seed(0)  # the learner's own draws: reproducible runs, whatever RNG calls they make
        events: list[str] = []
        inputs: list[dict[str, Any]] = []
        model = RecordingModel(device, events, inputs)
        optimizer = RecordingSGD(model.parameters(), events)
        schedule = make_schedule(device)
        steps = []
        for step in range(len(BATCHES)):
            events.clear()
            inputs.clear()
            before = _snapshot(model)
            result = attempt(train_step, model, optimizer, make_batch(step, device), schedule)
            after = _snapshot(model)
            steps.append({"result": result, "events": list(events), "inputs": list(inputs), "before": before, "after": after})
        return {"steps": steps}

    def grade(self, record: ProbeRecord, device: torch.device, grading: Grading) -> None:
        steps = record["steps"]
        answered = [(index, step) for index, step in enumerate(steps) if step["result"]["ok"]]
        self._check_returns(steps, grading)
        if answered:
            grading.check("shape.model_inputs", self._model_inputs_verdict(answered, device, grading))
        else:
            grading.skip("shape.model_inputs", "Not checked: train_step raised.")
        recorded = _recorded(answered)
        schedule = make_schedule(device)
        in_range = [(index, step, t) for index, step, t in recorded if bool(((t >= 0) & (t < T)).all())]
        replays = [_replay(index, step, t, schedule, device) for index, step, t in in_range]
        if recorded:
            grading.check("behaviour.t_per_sample", self._t_per_sample_verdict(recorded, grading))
            grading.check("behaviour.t_range", self._t_range_verdict(recorded, grading))
        else:
            grading.skip("behaviour.t_per_sample", UNREPLAYABLE)
            grading.skip("behaviour.t_range", UNREPLAYABLE)
        if replays:
            grading.check("formula.x_t", self._noise_verdict(replays, schedule, grading))
            grading.check("formula.loss", self._loss_verdict(replays, grading))
        else:
            grading.skip("formula.x_t", UNREPLAYABLE)
            grading.skip("formula.loss", UNREPLAYABLE)
        if answered:
            grading.check("behaviour.order", self._order_verdict(answered, grading))
        else:
            grading.skip("behaviour.order", "Not checked: train_step raised.")
        if replays:
            grading.check("behaviour.update", self._update_verdict(replays, answered, grading))
        else:
            grading.skip("behaviour.update", UNREPLAYABLE)
        if not grading.all_passed() and not grading.diagnosed:
            self._open_diagnoses(steps, replays, schedule, grading)

    # ---- checks, each naming the catalogued mistake it sees ----------------------------------------

    @staticmethod
    def _check_returns(steps: Sequence[dict[str, Any]], grading: Grading) -> None:
        crashed = next((step["result"] for step in steps if not step["result"]["ok"]), None)
        if crashed is not None:
            if crashed.get("exception") == "IndexError" and f"index {T} is out of bounds" in crashed.get("error", ""):
                grading.diagnose("loss.t_out_of_range")
            grading.error("shape.loss", f"train_step raised:\n{crashed['error']}")
            return
        for step in steps:
            value = step["result"]["value"]
            if not (value["kind"] == "py" and isinstance(value["value"], float)):
                if value["kind"] == "tensor" and value["data"].numel() == 1:
                    grading.diagnose("loss.returns_tensor")
                message = f"train_step should return the loss as a Python float, but it returned {compare.describe(value)}."
                grading.check("shape.loss", failed(message, "Return `loss.item()`."))
                return
        grading.check("shape.loss", passed("train_step returns the loss as a Python float"))

    @staticmethod
    def _model_inputs_verdict(answered: Sequence[tuple[int, dict[str, Any]]], device: torch.device, grading: Grading) -> Verdict:
        for index, step in answered:
            shape = BATCHES[index]
            if len(step["inputs"]) != 1:
                return failed(f"The model should be called once per step; step {index + 1} called it {len(step['inputs'])} times.")
            x, t = step["inputs"][0]["x"], step["inputs"][0]["t"]
            if t == {"kind": "py", "value": None}:
                grading.diagnose("loss.no_timestep")
            elif _timesteps(t, shape[0]) is not None and (t["kind"] == "py" or t["data"].numel() == 1):
                grading.diagnose("loss.single_timestep")
            elif t["kind"] == "tensor" and t["data"].is_floating_point() and _normalised(t["data"]):
                grading.add_diagnosis(NORMALISED_TIMESTEP)
            verdict = compare.layout("The model's input x_t", x, shape, torch.float32, device)
            if verdict.ok:
                verdict = compare.layout("The timesteps t passed to the model", t, (shape[0],), torch.int64, device)
            if not verdict.ok:
                return verdict
        return passed("The model receives x_t (B, C, H, W) float32 and t (B,) int64")

    @staticmethod
    def _t_per_sample_verdict(recorded: Sequence[tuple[int, dict[str, Any], torch.Tensor]], grading: Grading) -> Verdict:
        if all(len(t.unique()) == 1 for _, _, t in recorded):
            grading.diagnose("loss.single_timestep")
            first = recorded[0][2]
            return failed("Every sample of a batch got the same timestep.", f"t in step {recorded[0][0] + 1}: all {int(first[0])}")
        return passed("Each sample of a batch gets its own timestep")

    @staticmethod
    def _t_range_verdict(recorded: Sequence[tuple[int, dict[str, Any], torch.Tensor]], grading: Grading) -> Verdict:
        every_t = torch.cat([t for _, _, t in recorded])
        low, high = int(every_t.min()), int(every_t.max())
        drawn = f"{len(every_t)} timesteps ranged over [{low}, {high}]"
        if low < 0 or high >= T:
            grading.diagnose("loss.t_out_of_range")
            return failed(f"The timesteps must lie in [0, T) = [0, {T - 1}], but {drawn}.")
        if len(every_t) >= 5 * T and (low > 0 or high < T - 1):
            if low == 1 and high == T - 1:
                grading.diagnose("loss.t_skips_zero")
            elif low == 0 and high == T - 2:
                grading.diagnose("loss.t_skips_last")
            return failed(f"The timesteps should be drawn uniformly from all of 0 … {T - 1}, but {drawn}.")
        return passed(f"The timesteps cover [0, {T - 1}] ({len(every_t)} samples, {len(every_t.unique())} distinct values)")

    @staticmethod
    def _noise_verdict(replays: Sequence[Replay], schedule: Schedule, grading: Grading) -> Verdict:
        if all(compare.matches(r.x_t, r.x_0) for r in replays):
            grading.diagnose("loss.model_sees_clean_image")
            return failed("The model received the clean images x_0, not the noised x_t.")
        noise = torch.cat([r.noise.flatten() for r in replays])
        verdict = compare.standard_normal("The noise in x_t (recovered from x_t, x_0 and your t)", noise)
        if verdict.ok:
            return verdict
        if bool(((noise > -1e-4) & (noise < 1 + 1e-4)).all()):
            grading.diagnose("loss.uniform_noise")
        square = [r for r in replays if r.x_0.shape[0] == r.x_0.shape[-1]]
        if square:
            along_width = torch.cat([_noise_along_width(r, schedule).flatten() for r in square])
            if compare.standard_normal("", along_width).ok:
                grading.diagnose("loss.missing_reshape")
        return verdict

    @staticmethod
    def _loss_verdict(replays: Sequence[Replay], grading: Grading) -> Verdict:
        for r in replays:
            got = _loss_value(r.step["result"]["value"])
            if got is None:
                return failed(f"The loss returned in step {r.index + 1} is not a number.")
            if not _close(got, r.loss):
                if _close(got, float(F.mse_loss(r.prediction, r.x_0))):
                    grading.diagnose("loss.target_is_image")
                detail = f"step {r.index + 1}: expected MSE(model(x_t, t), ε) = {r.loss:.6g}, got {got:.6g}"
                return failed("The returned loss is not the MSE between the model's prediction and the noise.", detail)
        return passed("The returned loss is MSE(model(x_t, t), ε)")

    @staticmethod
    def _order_verdict(answered: Sequence[tuple[int, dict[str, Any]]], grading: Grading) -> Verdict:
        for index, step in answered:
            problem = _order_problem(step["events"])
            if problem:
                message, key = problem
                if key:
                    grading.diagnose(key)
                calls = " → ".join(step["events"]) or "none"
                return failed(f"Wrong sequence of calls in step {index + 1}: {message}.", f"your calls: {calls}")
        return passed("forward → backward → step, with zero_grad before backward or after step")

    @staticmethod
    def _update_verdict(replays: Sequence[Replay], answered: Sequence[tuple[int, dict[str, Any]]], grading: Grading) -> Verdict:
        for r in replays:
            for name in PARAMETERS:
                moved = r.step["after"][name] - r.step["before"][name]
                label = f"The SGD update of '{name}' in step {r.index + 1}"
                verdict = compare.values(label, moved, -LEARNING_RATE * r.gradients[name], atol=1e-6, rtol=1e-3)
                if not verdict.ok:
                    if not any("zero_grad" in step["events"] for _, step in answered):
                        grading.diagnose("loss.missing_zero_grad")
                    return verdict
        return passed("Every step moved the parameters by −lr × the gradient of that batch's loss")

    # ---- open diagnoses ----------------------------------------------------------------------------

    def _open_diagnoses(self, steps: Sequence[dict[str, Any]], replays: Sequence[Replay], schedule: Schedule, grading: Grading) -> None:
        # The first replayed step only: it starts from the drill's parameters, which a wrong update
        # (a sum's huge steps, say) has not yet blown up past float32's precision.
        first = replays[:1]
        pulls = self._pulls(first)
        if pulls:
            found = self._reduction(first, pulls) or self._target(first, pulls, schedule) or self._coefficients(first, pulls, schedule)
            for diagnosis in found:
                grading.add_diagnosis(diagnosis)
        if not grading.diagnosed:
            errors = [step["result"]["error"] for step in steps if not step["result"]["ok"]]
            problem = next((found for found in (layouts.error_diagnosis(AREA, error) for error in errors) if found), None)
            if problem is not None:
                grading.add_diagnosis(problem)

    @staticmethod
    def _pulls(replays: Sequence[Replay]) -> list[tuple[torch.Tensor, float]]:
        """For every replayed step, the target its loss pulled the prediction towards and the reduction's
        weight, read off the gradient at the model's output; empty when any step does not give them."""
        pulls = []
        for r in replays:
            got = _loss_value(r.step["result"]["value"])
            grad = r.call["grad"]
            pull = None if got is None or grad is None else squared_error_target(r.call["out"]["data"], grad["data"], got)
            if pull is None:
                return []
            pulls.append((pull.target.to(r.noise.device), pull.weight))
        return pulls

    @staticmethod
    def _reduction(replays: Sequence[Replay], pulls: Sequence[tuple[torch.Tensor, float]]) -> list[Diagnosis]:
        """The loss compares with the right noise but is not reduced by a mean."""
        if not all(compare.matches(target, r.noise, atol=1e-4, rtol=1e-3) for r, (target, _) in zip(replays, pulls)):
            return []
        reductions = {}
        for r, (_, weight) in zip(replays, pulls):
            batch, channels, height, width = r.x_0.shape
            sizes = {"a sum over every value": 1.0, "a sum over each image, averaged over the batch": 1.0 / batch,
                     "a mean over each image, summed over the batch": 1.0 / (channels * height * width),
                     "a mean over every value": 1.0 / r.x_0.numel()}
            reductions[r.index] = next((name for name, k in sizes.items() if math.isclose(weight, k, rel_tol=1e-3)), "")
        names = set(reductions.values())
        if len(names) != 1 or "" in names or names == {"a mean over every value"}:
            return []
        return [Diagnosis(
            f"{AREA}.not_a_mean",
            "The squared errors are not averaged",
            f"Your loss compares the model's prediction with the right noise, but it is {names.pop()}, not the mean of the "
            "squared errors: its size (and the size of every step) then grows with the batch and the image.",
            "Average over every value: `F.mse_loss(prediction, noise)` or `((prediction - noise) ** 2).mean()`.",
        )]

    @staticmethod
    def _target(replays: Sequence[Replay], pulls: Sequence[tuple[torch.Tensor, float]], schedule: Schedule) -> list[Diagnosis]:
        """The loss compares the prediction with something other than the noise that the grader knows."""
        for name, make, hint in (
            ("x_t, the model's own input", lambda r: r.x_t, "the noise ε you drew, not x_t"),
            ("the noise as it appears in x_t, √(1 − ᾱ_t)·ε", lambda r: r.x_t - extract(schedule["sqrt_alpha_bar"], r.t, 4) * r.x_0,
             "the noise ε itself, not ε scaled by √(1 − ᾱ_t)"),
        ):
            if all(compare.matches(target, make(r), atol=1e-4, rtol=1e-3) for r, (target, _) in zip(replays, pulls)):
                return [Diagnosis(
                    f"{AREA}.wrong_target",
                    f"The loss compares the prediction with {name.split(',')[0]}",
                    f"The gradient that reached the model's output pulls the prediction towards {name}. The model is trained "
                    "to predict the noise ε that was added, and the sampler's reverse step relies on that.",
                    f"Use {hint} as the target: `F.mse_loss(model(x_t, t), noise)`.",
                )]
        return []

    @staticmethod
    def _coefficients(replays: Sequence[Replay], pulls: Sequence[tuple[torch.Tensor, float]], schedule: Schedule) -> list[Diagnosis]:
        """x_t fitted, image by image, as a·x_0 + b·(the noise the loss targets), and a and b named."""
        table = coefficients.TermTable()
        fitted, residuals = [], []
        for r, (target, _) in zip(replays, pulls):
            if not compare.standard_normal("", target).ok:
                return []
            rows, residual = coefficients.fit(r.x_t, [r.x_0, target])
            fitted.append(rows)
            residuals.append(residual)
            table.add(schedule_terms(schedule), r.t)
        return coefficients.diagnose(torch.cat(fitted), torch.cat(residuals), table, ROLES, "your x_t")


def _normalised(t: torch.Tensor) -> bool:
    """Float timesteps in [0, 1) that are whole steps divided by T."""
    scaled = t.double() * T
    return bool(((t >= 0) & (t < 1)).all()) and bool(((scaled - scaled.round()).abs() < 1e-3).all())


NORMALISED_TIMESTEP = Diagnosis(
    f"{AREA}.normalised_timestep",
    "The model is given t / T instead of t",
    "Your code passes the timesteps divided by T, floats in [0, 1), to the model. The model (its timestep embedding) "
    "takes the integer step t itself, 0 … T − 1, the index the schedule was read at.",
    "Pass the integer timesteps you drew: `model(x_t, t)`.",
)


checks = DdpmLoss()
