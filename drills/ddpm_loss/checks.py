"""Grading train_step by its behaviour, observed through a recording model and optimizer.

The probe runs a few training steps on one tiny noise predictor with plain SGD (so that the
update is predictable) and records what the learner's code did: every model input, the order of
forward / backward / zero_grad / step, and the parameters before and after each step. The grader
then recovers the noise ε from x_t, x_0 and t (x_t = √ᾱ_t·x_0 + √(1−ᾱ_t)·ε), checks that it is
standard normal, recomputes the loss and the gradient itself, and compares the SGD update.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from engine.drills import compare
from engine.drills.capture import capture, entry
from engine.drills.grading import Verdict, failed, passed
from reference import cosine_beta_schedule, extract, precompute_schedule

T = 20
CHANNELS = 3
LEARNING_RATE = 0.05
# Batch, height and width differ in most steps, and the third has batch == width. 224 timesteps
# in all: a correct sampler hits both ends of [0, T) with near certainty. Every tensor stays under
# torch's parallel grain size (32768 elements), so that no OpenMP thread pool is used on either side
# of the sandbox's fork, where it can deadlock.
BATCHES = [(64, CHANNELS, 5, 7), (64, CHANNELS, 6, 4), (32, CHANNELS, 5, 32), (64, CHANNELS, 4, 5)]
PARAMETERS = ("weight", "step_bias")


def make_schedule(device: torch.device) -> dict:
    return {key: value.to(device) for key, value in precompute_schedule(cosine_beta_schedule(T)).items()}


def make_batch(step: int, device: torch.device) -> torch.Tensor:
    generator = torch.Generator().manual_seed(500 + step)
    return (torch.rand(BATCHES[step], generator=generator) * 2 - 1).to(device)


def initial_parameters(device: torch.device) -> dict:
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
    def __init__(self, device: torch.device, events: list, inputs: list):
        super().__init__()
        initial = initial_parameters(device)
        self.weight = torch.nn.Parameter(initial["weight"])
        self.step_bias = torch.nn.Parameter(initial["step_bias"])
        self.events, self.inputs = events, inputs

    def forward(self, x, t=None):
        self.events.append("forward")
        self.inputs.append({"x": capture(x), "t": capture(t)})
        out = predict(self.weight, self.step_bias, x, t)
        if out.requires_grad:
            out.register_hook(self._backward_reached)
        return out

    def _backward_reached(self, grad):
        self.events.append("backward")

    def zero_grad(self, set_to_none: bool = True):
        self.events.append("zero_grad")
        super().zero_grad(set_to_none)


class RecordingSGD:
    """Plain SGD (p ← p − lr·grad) that records its calls.

    It has the interface train_step uses (zero_grad, step, param_groups) without subclassing
    torch.optim.Optimizer, whose constructor imports torch._dynamo: about a second per run.
    """

    def __init__(self, params, events: list):
        self.param_groups = [{"params": list(params), "lr": LEARNING_RATE}]
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


def _snapshot(model: torch.nn.Module) -> dict:
    return {name: getattr(model, name).detach().to("cpu").clone() for name in PARAMETERS}


def probe(module, device, attempt):
    train_step = entry(module, "train_step")
    torch.manual_seed(0)  # the learner's own draws: reproducible runs, whatever RNG calls they make
    events, inputs = [], []
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


# ---- grading


def _loss_value(captured: dict) -> float | None:
    """The returned loss: a Python float, or (leniently, for the values) a one-element tensor."""
    if captured.get("kind") == "py" and isinstance(captured["value"], float):
        return captured["value"]
    if captured.get("kind") == "tensor" and captured["data"].numel() == 1:
        return float(captured["data"])
    return None


def _out_of_range_error(result: dict) -> bool:
    return result.get("exception") == "IndexError" and f"index {T} is out of bounds" in result.get("error", "")


def _check_returns(steps, grading) -> None:
    crashed = next((step["result"] for step in steps if not step["result"]["ok"]), None)
    if crashed is not None:
        if _out_of_range_error(crashed):
            grading.diagnose("loss.t_out_of_range")
        grading.error("shape.loss", "shape", f"train_step raised:\n{crashed['error']}")
        return
    for step in steps:
        value = step["result"]["value"]
        if not (value.get("kind") == "py" and isinstance(value["value"], float)):
            if value.get("kind") == "tensor" and value["data"].numel() == 1:
                grading.diagnose("loss.returns_tensor")
            message = f"train_step should return the loss as a Python float, but it returned {compare.describe(value)}."
            grading.check("shape.loss", "shape", failed(message, "Return `loss.item()`."))
            return
    grading.check("shape.loss", "shape", passed("train_step returns the loss as a Python float"))


def _received_no_timestep(step: dict) -> bool:
    return any(call["t"] == {"kind": "py", "value": None} for call in step["inputs"])


def _model_inputs_verdict(answered, device) -> Verdict:
    for index, step in answered:
        shape = BATCHES[index]
        if len(step["inputs"]) != 1:
            calls = len(step["inputs"])
            return failed(f"The model should be called once per step; step {index + 1} called it {calls} times.")
        x, t = step["inputs"][0]["x"], step["inputs"][0]["t"]
        verdict = compare.layout("The model's input x_t", x, shape, torch.float32, device)
        if verdict.ok:
            verdict = compare.layout("The timesteps t passed to the model", t, (shape[0],), torch.int64, device)
        if not verdict.ok:
            return verdict
    return passed("The model receives x_t (B, C, H, W) float32 and t (B,) int64")


def _recorded(answered) -> list:
    """(index, step, t) for each answered step whose model call can be replayed: one call, x_t
    of the batch's shape and an integer t of shape (B,)."""
    usable = []
    for index, step in answered:
        if len(step["inputs"]) != 1:
            continue
        x, t = step["inputs"][0]["x"], step["inputs"][0]["t"]
        shape = BATCHES[index]
        if x.get("kind") != "tensor" or tuple(x["data"].shape) != shape or t.get("kind") != "tensor":
            continue
        if tuple(t["data"].shape) == (shape[0],) and not t["data"].is_floating_point():
            usable.append((index, step, t["data"].long()))
    return usable


def _t_per_sample_verdict(recorded, grading) -> Verdict:
    if all(len(t.unique()) == 1 for _, _, t in recorded):
        grading.diagnose("loss.single_timestep")
        first = recorded[0][2]
        detail = f"t in step {recorded[0][0] + 1}: all {int(first[0])}"
        return failed("Every sample of a batch got the same timestep.", detail)
    return passed("Each sample of a batch gets its own timestep")


def _t_range_verdict(recorded, grading) -> Verdict:
    every_t = torch.cat([t for _, _, t in recorded])
    low, high = int(every_t.min()), int(every_t.max())
    if low < 0 or high >= T:
        grading.diagnose("loss.t_out_of_range")
        return failed(f"The timesteps must lie in [0, T) = [0, {T - 1}], but they ranged over [{low}, {high}].")
    if low > T // 4 or high < T - 1 - T // 4:
        return failed(
            f"The timesteps should be uniform over [0, {T - 1}], "
            f"but {len(every_t)} samples only covered [{low}, {high}]."
        )
    return passed(f"The timesteps cover [0, {T - 1}] ({len(every_t)} samples, {len(every_t.unique())} distinct values)")


def _replay(index: int, step: dict, t: torch.Tensor, schedule: dict, device) -> dict:
    """Everything the grader recomputes for one step: ε recovered from x_t = √ᾱ_t·x_0 + √(1−ᾱ_t)·ε,
    the model's prediction, the expected loss and its gradient at the parameters before the step."""
    x_0, x_t, t = make_batch(index, device), step["inputs"][0]["x"]["data"].to(device), t.to(device)
    signal_scale = extract(schedule["sqrt_alpha_bar"], t, 4)
    noise = (x_t - signal_scale * x_0) / extract(schedule["sqrt_one_minus_alpha_bar"], t, 4)
    parameters = {name: step["before"][name].to(device).requires_grad_(True) for name in PARAMETERS}
    prediction = predict(parameters["weight"], parameters["step_bias"], x_t, t)
    loss = F.mse_loss(prediction, noise)
    gradients = torch.autograd.grad(loss, [parameters[name] for name in PARAMETERS])
    return {
        "index": index,
        "step": step,
        "t": t,
        "x_0": x_0,
        "x_t": x_t,
        "noise": noise,
        "prediction": prediction.detach(),
        "loss": float(loss.detach()),
        "gradients": {name: gradient.cpu() for name, gradient in zip(PARAMETERS, gradients)},
    }


def _noise_along_width(replay: dict, schedule: dict) -> torch.Tensor:
    """ε recovered as if the (B,) coefficients had been broadcast over the last axis (no reshape),
    which runs without an error only when the batch equals the width."""
    t = replay["t"]
    return (replay["x_t"] - schedule["sqrt_alpha_bar"][t] * replay["x_0"]) / schedule["sqrt_one_minus_alpha_bar"][t]


def _noise_verdict(replays, schedule, grading) -> Verdict:
    if all(compare.matches(r["x_t"], r["x_0"]) for r in replays):
        grading.diagnose("loss.model_sees_clean_image")
        return failed("The model received the clean images x_0, not the noised x_t.")
    noise = torch.cat([r["noise"].flatten() for r in replays])
    verdict = compare.standard_normal("The noise in x_t (recovered from x_t, x_0 and your t)", noise)
    if verdict.ok:
        return verdict
    if bool(((noise > -1e-4) & (noise < 1 + 1e-4)).all()):
        grading.diagnose("loss.uniform_noise")
    square = [r for r in replays if r["x_0"].shape[0] == r["x_0"].shape[-1]]
    if square:
        along_width = torch.cat([_noise_along_width(r, schedule).flatten() for r in square])
        if compare.standard_normal("", along_width).ok:
            grading.diagnose("loss.missing_reshape")
    return verdict


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-6)


def _loss_verdict(replays, grading) -> Verdict:
    for r in replays:
        got = _loss_value(r["step"]["result"]["value"])
        if got is None:
            return failed(f"The loss returned in step {r['index'] + 1} is not a number.")
        if not _close(got, r["loss"]):
            if _close(got, float(F.mse_loss(r["prediction"], r["x_0"]))):
                grading.diagnose("loss.target_is_image")
            detail = f"step {r['index'] + 1}: expected MSE(model(x_t, t), ε) = {r['loss']:.6g}, got {got:.6g}"
            return failed("The returned loss is not the MSE between the model's prediction and the noise.", detail)
    return passed("The returned loss is MSE(model(x_t, t), ε)")


def _order_problem(events: list) -> str | None:
    """What is wrong with one training step's sequence of calls, or None."""
    if events.count("forward") != 1 or "backward" not in events or events.count("step") != 1:
        return "expected one forward pass, a backward pass and one optimizer step"
    forward, backward, step = events.index("forward"), events.index("backward"), events.index("step")
    if not forward < backward < step:
        return "expected forward → backward → step"
    if "zero_grad" in events[backward:step]:
        return "zero_grad ran between backward and step, so the step found no gradients"
    return None


def _order_verdict(answered, grading) -> Verdict:
    for index, step in answered:
        problem = _order_problem(step["events"])
        if problem:
            if "step" not in step["events"]:
                grading.diagnose("loss.missing_step")
            elif "zero_grad" in problem:
                grading.diagnose("loss.zero_grad_after_backward")
            calls = " → ".join(step["events"]) or "none"
            return failed(f"Wrong sequence of calls in step {index + 1}: {problem}.", f"your calls: {calls}")
    return passed("forward → backward → step, with zero_grad before backward or after step")


def _update_verdict(replays, answered, grading) -> Verdict:
    for r in replays:
        for name in PARAMETERS:
            moved = r["step"]["after"][name] - r["step"]["before"][name]
            label = f"The SGD update of '{name}' in step {r['index'] + 1}"
            verdict = compare.values(label, moved, -LEARNING_RATE * r["gradients"][name], atol=1e-6, rtol=1e-3)
            if not verdict.ok:
                if not any("zero_grad" in step["events"] for _, step in answered):
                    grading.diagnose("loss.missing_zero_grad")
                return verdict
    return passed("Every step moved the parameters by −lr × the gradient of that batch's loss")


TIMESTEP_CHECKS = (("behaviour.t_per_sample", "behaviour", 1.0), ("behaviour.t_range", "behaviour", 1.0))
REPLAYED_CHECKS = (("formula.x_t", "formula", 2.0), ("formula.loss", "formula", 2.0))
UNREPLAYABLE = "Not checked: the model never received a usable x_t and a t in [0, T)."


def _skip(checks, grading) -> None:
    for check_id, category, points in checks:
        grading.skip(check_id, category, UNREPLAYABLE, points=points)


def grade(calls, device, grading):
    steps = calls["steps"]
    answered = [(index, step) for index, step in enumerate(steps) if step["result"]["ok"]]
    _check_returns(steps, grading)
    if not answered:
        grading.skip("shape.model_inputs", "shape", "Not checked: train_step raised.")
    else:
        if any(_received_no_timestep(step) for _, step in answered):
            grading.diagnose("loss.no_timestep")
        grading.check("shape.model_inputs", "shape", _model_inputs_verdict(answered, device))
    recorded = _recorded(answered)
    schedule = make_schedule(device)
    in_range = [(index, step, t) for index, step, t in recorded if bool(((t >= 0) & (t < T)).all())]
    replays = [_replay(index, step, t, schedule, device) for index, step, t in in_range]
    if recorded:
        grading.check("behaviour.t_per_sample", "behaviour", _t_per_sample_verdict(recorded, grading))
        grading.check("behaviour.t_range", "behaviour", _t_range_verdict(recorded, grading))
    else:
        _skip(TIMESTEP_CHECKS, grading)
    if replays:
        grading.check("formula.x_t", "formula", _noise_verdict(replays, schedule, grading), points=2.0)
        grading.check("formula.loss", "formula", _loss_verdict(replays, grading), points=2.0)
    else:
        _skip(REPLAYED_CHECKS, grading)
    if answered:
        grading.check("behaviour.order", "behaviour", _order_verdict(answered, grading))
    else:
        grading.skip("behaviour.order", "behaviour", "Not checked: train_step raised.")
    if replays:
        verdict = _update_verdict(replays, answered, grading)
        grading.check("behaviour.update", "behaviour", verdict, points=2.0)
    else:
        grading.skip("behaviour.update", "behaviour", UNREPLAYABLE, points=2.0)
    grading.catalog_check(len(replays) == len(steps))
