"""Grading train_denoiser on synthetic images with a small recording denoiser.

Everything is judged from what the loop did to the model and the optimizer, whatever the
spelling: each model call records its input, timesteps and output, a hook on the output records
the gradient that reached it (from which the loss's target follows exactly), and the optimizer
and model record zero_grad and step. No dataset is downloaded: the images are drawn here.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from engine.drills import compare
from engine.drills.capture import entry, learner_traceback
from engine.drills.grading import failed, passed
from reference import SinusoidalPositionEmbedding

BATCHES, BATCH_SIZE, SIZE = 4, 8, 16
EPOCHS = 5
# Not the lesson's 0.5, so that a hard-coded noise level shows.
NOISE_LEVEL = 0.8
NUM_TIMESTEPS = 1000
LEARNING_RATE = 1e-2
# Timesteps this small scale the noise by almost nothing: dividing by the scale would magnify rounding.
MIN_SCALE = 0.05


def make_batches() -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Synthetic 'images': one or two bright rectangles on a dark background, in [-1, 1]."""
    generator = torch.Generator().manual_seed(9100)
    batches = []
    for _ in range(BATCHES):
        images = -torch.ones(BATCH_SIZE, 1, SIZE, SIZE)
        for image in images:
            for _ in range(int(torch.randint(1, 3, (1,), generator=generator))):
                top, left = torch.randint(0, SIZE - 4, (2,), generator=generator).tolist()
                height, width = torch.randint(3, 9, (2,), generator=generator).tolist()
                image[:, top : top + height, left : left + width] = 1.0
        batches.append((images, torch.zeros(BATCH_SIZE, dtype=torch.long)))
    return batches


class RecordingDenoiser(nn.Module):
    """A small timestep-conditioned conv net that records every call and the gradient of its output."""

    def __init__(self, log: list, calls: list):
        super().__init__()
        self.log, self.calls = log, calls
        self.embed = SinusoidalPositionEmbedding(16)
        self.time = nn.Linear(16, 16)
        self.conv_in = nn.Conv2d(1, 16, 3, padding=1)
        self.conv_mid = nn.Conv2d(16, 16, 3, padding=1)
        self.conv_out = nn.Conv2d(16, 1, 3, padding=1)

    def forward(self, x, timesteps=None):
        h = F.gelu(self.conv_in(x))
        if timesteps is not None:
            h = h + self.time(self.embed(timesteps))[:, :, None, None]
        out = self.conv_out(F.gelu(self.conv_mid(h)))
        record = {
            "x": x.detach().cpu().clone(),
            "device": str(x.device),
            "t": timesteps.detach().cpu().clone() if isinstance(timesteps, torch.Tensor) else None,
            "out": out.detach().cpu().clone(),
            "grad": None,
        }
        self.calls.append(record)
        self.log.append("forward")
        if out.requires_grad:
            out.register_hook(lambda grad: self._backward(record, grad))
        return out

    def _backward(self, record: dict, grad: torch.Tensor) -> None:
        record["grad"] = grad.detach().cpu().clone()
        self.log.append("backward")

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.log.append("zero_grad")
        super().zero_grad(set_to_none)


class RecordingAdam:
    """Adam, written out, recording zero_grad and step.

    Not a torch.optim.Optimizer: the first of those built in a process imports the compiler
    stack, a second of every run spent before the learner's first line.
    """

    def __init__(self, params, log: list, lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
        self.params, self.log = list(params), log
        self.lr, self.betas, self.eps = lr, betas, eps
        self.moments = [(torch.zeros_like(p), torch.zeros_like(p)) for p in self.params]
        self.steps = 0

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.log.append("zero_grad")
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self, closure=None) -> None:
        self.log.append("step")
        self.steps += 1
        beta1, beta2 = self.betas
        for p, (mean, square) in zip(self.params, self.moments):
            if p.grad is None:
                continue
            mean.mul_(beta1).add_(p.grad, alpha=1 - beta1)
            square.mul_(beta2).addcmul_(p.grad, p.grad, value=1 - beta2)
            corrected = (square / (1 - beta2**self.steps)).sqrt_().add_(self.eps)
            p.addcdiv_(mean, corrected, value=-self.lr / (1 - beta1**self.steps))


def probe(module, device, attempt):
    train_denoiser = entry(module, "train_denoiser")
    log, calls = [], []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(9200)
        model = RecordingDenoiser(log, calls).to(device)
    optimizer = RecordingAdam(model.parameters(), log, lr=LEARNING_RATE)
    torch.manual_seed(9300)  # the learner's own draws, reproducible from run to run
    try:
        returned = {"ok": True, "value": train_denoiser(model, make_batches(), optimizer, EPOCHS, NOISE_LEVEL, str(device))}
    except Exception as error:  # noqa: BLE001 - the learner's loop failing is reported, not raised
        returned = {"ok": False, "error": learner_traceback(error, attempt.learner_file)}
    if returned["ok"]:
        returned["value"] = _losses(returned["value"])
    return {"returned": returned, "log": log, "calls": calls}


def _losses(value):
    """The returned history as a list of floats, or a short description of what came back instead."""
    if isinstance(value, (list, tuple)):
        numbers = []
        for item in value:
            if isinstance(item, torch.Tensor) and item.numel() == 1:
                item = item.item()
            if not isinstance(item, (int, float)) or isinstance(item, bool):
                return f"a {type(value).__name__} holding {type(item).__name__}"
            numbers.append(float(item))
        return numbers
    return f"a {type(value).__name__}"


# ---- what the record says ----------------------------------------------------------------------


def _clean_images(index: int, batches: list) -> torch.Tensor:
    return batches[index % len(batches)][0]


def _scales(t: torch.Tensor) -> torch.Tensor:
    return (t.double() / NUM_TIMESTEPS * NOISE_LEVEL)[:, None, None, None]


def _usable(call: dict) -> bool:
    """A call whose timesteps are a proper (B,) integer tensor, so its noise can be recovered."""
    t = call["t"]
    return t is not None and t.ndim == 1 and len(t) == len(call["x"]) and not t.is_floating_point()


def _recovered_noise(calls: list, batches: list, scale_of) -> torch.Tensor:
    """(noisy − clean) / scale over every sample whose scale is large enough to divide by."""
    pieces = []
    for index, call in enumerate(calls):
        scales = scale_of(call).expand(-1, *call["x"].shape[1:])
        difference = call["x"].double() - _clean_images(index, batches).double()
        keep = scales > MIN_SCALE
        pieces.append(difference[keep] / scales[keep])
    return torch.cat(pieces) if pieces else torch.zeros(0)


def _targets(call: dict) -> list[torch.Tensor]:
    """The target of the squared error, from the gradient at the output: out − grad·N/2 for a mean, out − grad/2 for a sum."""
    out, grad = call["out"].double(), call["grad"].double()
    return [out - grad * out.numel() / 2, out - grad / 2]


def target_is(calls: list, make_target) -> bool:
    """Whether every call's loss pulled its output towards ``make_target(index, call)`` (NaN: not compared)."""
    for index, call in enumerate(calls):
        expected = make_target(index, call)
        if call["grad"] is None or expected is None:
            return False
        keep = ~torch.isnan(expected)
        if not any(compare.matches(target[keep], expected[keep], atol=1e-4, rtol=1e-4) for target in _targets(call)):
            return False
    return bool(calls)


def _clean_target(batches: list):
    return lambda index, call: _clean_images(index, batches).double()


def _noisy_target(index: int, call: dict) -> torch.Tensor:
    return call["x"].double()


def _noise_target(batches: list):
    """The noise ε in each call's input, NaN where the timestep made the scale too small to recover it."""

    def noise(index: int, call: dict):
        if not _usable(call):
            return None
        scales = _scales(call["t"]).expand_as(call["x"])
        difference = call["x"].double() - _clean_images(index, batches).double()
        return torch.where(scales > MIN_SCALE, difference / scales.clamp(min=MIN_SCALE), torch.full_like(difference, math.nan))

    return noise


def order_problems(log: list) -> list[str]:
    """Catalog keys for what went wrong in the sequence of zero_grad, backward and step, in order of appearance.

    ``fresh``: a backward has filled the gradients since the last step or zero_grad, so a step
    would use them; ``dirty``: gradients from an earlier backward are still there, so the next
    backward would add to them; ``wiped``: a zero_grad cleared fresh gradients, which is the
    mistake to report rather than the empty step that follows it.
    """
    problems, fresh, dirty, wiped = [], False, False, False
    for event in log:
        if event == "zero_grad":
            if fresh:
                problems.append("training.zero_grad_after_backward")
            fresh, dirty, wiped = False, False, fresh
        elif event == "backward":
            if dirty:
                problems.append("training.missing_zero_grad")
            fresh, dirty, wiped = True, True, False
        elif event == "step":
            if not fresh and not wiped:
                problems.append("training.step_before_backward")
            fresh = False
    return list(dict.fromkeys(problems))


# ---- grading -----------------------------------------------------------------------------------


def _history_verdict(returned: dict):
    value = returned["value"]
    if isinstance(value, str) or len(value) != EPOCHS:
        got = value if isinstance(value, str) else f"{len(value)} numbers"
        return failed(f"train_denoiser should return {EPOCHS} average losses (one per epoch), but it returned {got}.")
    return passed(f"Returns one average loss per epoch ({EPOCHS} floats)")


def _calls_verdict(records: list, device: torch.device):
    expected = EPOCHS * BATCHES
    if len(records) != expected:
        return failed(f"The model was called {len(records)} times; {EPOCHS} epochs of {BATCHES} batches need {expected} calls, one per batch.")
    shape = (BATCH_SIZE, 1, SIZE, SIZE)
    wrong = next((r for r in records if tuple(r["x"].shape) != shape or not compare.same_device(r["device"], device)), None)
    if wrong is not None:
        return failed(f"The model received a batch of shape {tuple(wrong['x'].shape)} on {wrong['device']}; expected {shape} on {device}.")
    return passed(f"One model call per batch, each with a {shape} batch on {device.type}")


def _timestep_verdict(records: list):
    for record in records:
        t = record["t"]
        if t is None:
            return failed("The model was called without timesteps: pass them, model(noisy, timesteps).")
        if not _usable(record):
            return failed(f"The timesteps should be a ({BATCH_SIZE},) integer tensor, one per image; got {t.dtype} of shape {tuple(t.shape)}.")
        if int(t.min()) < 0 or int(t.max()) >= NUM_TIMESTEPS:
            return failed(f"Timesteps must lie in [0, {NUM_TIMESTEPS}); got values from {int(t.min())} to {int(t.max())}.")
    return passed("The model receives an integer timestep for every image")


def _per_sample_verdict(records: list):
    usable = [r for r in records if _usable(r)]
    if not usable:
        return None
    shared = sum(1 for r in usable if len(torch.unique(r["t"])) == 1)
    if shared:
        return failed(f"In {shared} of {len(usable)} batches every image got the same timestep; each image should draw its own.")
    return passed("Each image of a batch gets its own timestep")


def _noise_verdict(records: list, batches: list):
    if not records or not all(_usable(r) for r in records):
        return None
    noise = _recovered_noise(records, batches, lambda call: _scales(call["t"]))
    verdict = compare.standard_normal("The noise in the model's input, divided by t/1000 · noise_level,", noise)
    if verdict.ok:
        return passed(f"noisy = images + (t/1000 · noise_level) · ε with ε standard normal ({verdict.message.split('(')[-1]}")
    return verdict


def _target_verdict(records: list, batches: list):
    if any(record["grad"] is None for record in records):
        return failed("No gradient reached the model's output in some calls: call loss.backward() on a loss computed from the model's prediction.")
    if target_is(records, _clean_target(batches)):
        return passed("The loss compares the prediction with the clean images")
    return failed("The loss does not pull the prediction towards the clean images: the target of the squared error is something else.")


def _history_values_verdict(returned: dict, records: list, batches: list):
    if isinstance(returned["value"], str) or len(returned["value"]) != EPOCHS or len(records) != EPOCHS * BATCHES:
        return None
    losses = torch.tensor([F.mse_loss(r["out"], _clean_images(i, batches)).item() for i, r in enumerate(records)], dtype=torch.float64)
    expected = losses.view(EPOCHS, BATCHES).mean(dim=1)
    return compare.values("The list of epoch averages you returned", torch.tensor(returned["value"], dtype=torch.float64), expected, atol=1e-5, rtol=1e-4)


def _order_verdict(log: list):
    problems = order_problems(log)
    steps = log.count("step")
    if problems:
        return failed(f"The optimisation steps are out of order ({', '.join(p.split('.')[1].replace('_', ' ') for p in problems)}).", " → ".join(log[:14]) + " …")
    if steps != EPOCHS * BATCHES:
        return failed(f"optimizer.step() ran {steps} times; it should run once per batch ({EPOCHS * BATCHES}).")
    return passed("Every batch does zero_grad → backward → step, in that order")


def _falls_verdict(returned: dict):
    value = returned["value"]
    if isinstance(value, str) or len(value) != EPOCHS:
        return None
    if value[-1] < 0.7 * value[0]:
        return passed(f"The loss falls: {value[0]:.4f} in the first epoch, {value[-1]:.4f} in the last")
    return failed(f"The loss does not fall: {value[0]:.4f} in the first epoch, {value[-1]:.4f} in the last.")


def _diagnose(records: list, log: list, batches: list, noise_ok: bool, target_ok: bool, grading) -> None:
    if any(record["t"] is None for record in records):
        grading.diagnose("training.timestep_not_passed")
    usable = [r for r in records if _usable(r)]
    if usable and all(len(torch.unique(r["t"])) == 1 for r in usable):
        grading.diagnose("training.single_timestep")
    if not noise_ok and records:
        constant = _recovered_noise(records, batches, lambda call: torch.full((len(call["x"]), 1, 1, 1), NOISE_LEVEL, dtype=torch.float64))
        if compare.standard_normal("", constant).ok:
            grading.diagnose("training.constant_noise_level")
    if not target_ok and records and all(r["grad"] is not None for r in records):
        if target_is(records, _noise_target(batches)):
            grading.diagnose("training.noise_target")
        elif target_is(records, _noisy_target):
            grading.diagnose("training.noisy_target")
    for key in order_problems(log):
        grading.diagnose(key)


NEEDS_TIMESTEPS = "Not checked: the model did not receive a timestep per image."
NEEDS_HISTORY = f"Not checked: the loop must return {EPOCHS} losses and call the model once per batch."
# (check id, category, points, why it is skipped when its data is missing)
RECORD_CHECKS = [
    ("behaviour.calls", "behaviour", 1.0, ""),
    ("behaviour.timestep", "behaviour", 1.0, ""),
    ("behaviour.timestep_per_sample", "behaviour", 1.0, NEEDS_TIMESTEPS),
    ("formula.noisy_input", "formula", 2.0, NEEDS_TIMESTEPS),
    ("formula.target", "formula", 2.0, ""),
    ("formula.history", "formula", 1.0, NEEDS_HISTORY),
    ("behaviour.order", "behaviour", 2.0, ""),
    ("behaviour.loss_falls", "behaviour", 1.0, NEEDS_HISTORY),
]


def grade(calls, device, grading):
    batches = make_batches()
    returned, log, records = calls["returned"], calls["log"], calls["calls"]
    if returned["ok"]:
        grading.check("shape.history", "shape", _history_verdict(returned))
    else:
        grading.error("shape.history", "shape", f"Your loop raised:\n{returned['error']}")
    verdicts = {}
    if records and returned["ok"]:
        verdicts = {
            "behaviour.calls": _calls_verdict(records, device),
            "behaviour.timestep": _timestep_verdict(records),
            "behaviour.timestep_per_sample": _per_sample_verdict(records),
            "formula.noisy_input": _noise_verdict(records, batches),
            "formula.target": _target_verdict(records, batches),
            "formula.history": _history_values_verdict(returned, records, batches),
            "behaviour.order": _order_verdict(log),
            "behaviour.loss_falls": _falls_verdict(returned),
        }
    for check_id, category, points, reason in RECORD_CHECKS:
        verdict = verdicts.get(check_id)
        if verdict is None:
            reason = reason if verdicts else "Not checked: your loop must run and call the model first."
            grading.skip(check_id, category, reason, points=points)
        else:
            grading.check(check_id, category, verdict, points=points)
    noise_ok = verdicts.get("formula.noisy_input") is None or verdicts["formula.noisy_input"].ok
    target_ok = verdicts.get("formula.target") is None or verdicts["formula.target"].ok
    _diagnose(records, log, batches, noise_ok, target_ok, grading)
    grading.catalog_check(bool(records) and returned["ok"])
