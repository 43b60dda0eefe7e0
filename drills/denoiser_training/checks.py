"""Grading train_denoiser on synthetic images with a small recording denoiser.

Everything is judged from what the loop did to the model and the optimizer, whatever the
spelling: each model call records its input, timesteps and output, a hook on the output records
the gradient that reached it (from which the loss's target follows exactly), and the optimizer
and model record zero_grad and step. No dataset is downloaded: the images are drawn here.

A mistake is named from the same record: the noise is recovered from each noisy input under a
few laws of its scale (t/1000 · noise_level, noise_level alone, t · noise_level, …) and the law
under which it is standard normal names how the scale was computed; the noise recovered in two
calls is compared to find noise drawn once and reused; the returned history is compared with
the sums, the last batch's loss and the other summaries a loop may report instead of the mean.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from engine.drills import compare
from engine.drills.capture import Attempt, entry, learner_traceback
from engine.drills.grading import Grading, Verdict, failed, passed
from engine.drills.plugin import DrillChecks
from engine.drills.records import ProbeRecord
from engine.drills.results import Diagnosis
from engine.drills.toolkit import layouts
from reference import SinusoidalPositionEmbedding

AREA = "training"
BATCHES, BATCH_SIZE, SIZE = 4, 8, 16
EPOCHS = 5
# Not the lesson's 0.5, so that a hard-coded noise level shows.
NOISE_LEVEL = 0.8
NUM_TIMESTEPS = 1000
LEARNING_RATE = 1e-2
# Timesteps this small scale the noise by almost nothing: dividing by the scale would magnify rounding.
MIN_SCALE = 0.05
Call = dict[str, Any]
Batches = list[tuple[torch.Tensor, torch.Tensor]]


def make_batches() -> Batches:
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

    def __init__(self, log: list[str], calls: list[Call]):
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

    def _backward(self, record: Call, grad: torch.Tensor) -> None:
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

    def __init__(self, params, log: list[str], lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
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


def _clean_images(index: int, batches: Batches) -> torch.Tensor:
    return batches[index % len(batches)][0]


def _steps(call: Call) -> torch.Tensor | None:
    """The call's timesteps as a (B,) integer tensor; one shared timestep is spread over the batch,
    so that its noise can still be recovered (and the sharing named)."""
    t = call["t"]
    if t is None or t.is_floating_point() or t.numel() not in (1, len(call["x"])):
        return None
    steps: torch.Tensor = t.reshape(-1).expand(len(call["x"]))
    return steps


def _usable(call: Call) -> bool:
    """A call whose timesteps are a proper (B,) integer tensor."""
    t = call["t"]
    return t is not None and t.ndim == 1 and len(t) == len(call["x"]) and not t.is_floating_point()


def _scales(t: torch.Tensor) -> torch.Tensor:
    return (t.double() / NUM_TIMESTEPS * NOISE_LEVEL)[:, None, None, None]


def _recovered(calls: Sequence[Call], batches: Batches, scale_of: Callable[[torch.Tensor], torch.Tensor]) -> list[torch.Tensor]:
    """Per call, (noisy − clean) / scale, NaN where the scale is too small to divide by."""
    pieces = []
    for index, call in enumerate(calls):
        steps = _steps(call)
        assert steps is not None
        scales = scale_of(steps).expand_as(call["x"])
        difference = call["x"].double() - _clean_images(index, batches).double()
        pieces.append(torch.where(scales > MIN_SCALE, difference / scales.clamp(min=MIN_SCALE), torch.full_like(difference, math.nan)))
    return pieces


def _recovered_noise(calls: Sequence[Call], batches: Batches, scale_of: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
    """Every recovered noise value, over the samples whose scale is large enough to divide by."""
    flat = torch.cat([piece.flatten() for piece in _recovered(calls, batches, scale_of)]) if calls else torch.zeros(0)
    return flat[~torch.isnan(flat)]


def _targets(call: Call) -> list[torch.Tensor]:
    """The target of the squared error, from the gradient at the output: out − grad·N/2 for a mean, out − grad/2 for a sum."""
    out, grad = call["out"].double(), call["grad"].double()
    return [out - grad * out.numel() / 2, out - grad / 2]


def target_is(calls: Sequence[Call], make_target: Callable[[int, Call], torch.Tensor | None]) -> bool:
    """Whether every call's loss pulled its output towards ``make_target(index, call)`` (NaN: not compared)."""
    for index, call in enumerate(calls):
        expected = make_target(index, call)
        if call["grad"] is None or expected is None:
            return False
        keep = ~torch.isnan(expected)
        if not any(compare.matches(target[keep], expected[keep], atol=1e-4, rtol=1e-4) for target in _targets(call)):
            return False
    return bool(calls)


def _clean_target(batches: Batches) -> Callable[[int, Call], torch.Tensor]:
    return lambda index, call: _clean_images(index, batches).double()


def _noisy_target(index: int, call: Call) -> torch.Tensor:
    noisy: torch.Tensor = call["x"].double()
    return noisy


def _noise_target(batches: Batches) -> Callable[[int, Call], torch.Tensor | None]:
    """The noise ε in each call's input, NaN where the timestep made the scale too small to recover it."""

    def noise(index: int, call: Call) -> torch.Tensor | None:
        if _steps(call) is None:
            return None
        return _recovered([call], [batches[index % len(batches)]], _scales)[0]

    return noise


def order_problems(log: Sequence[str]) -> list[str]:
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


def _batch_losses(records: Sequence[Call], batches: Batches) -> torch.Tensor:
    """Each call's MSE against the clean images, as (epochs, batches)."""
    losses = [F.mse_loss(r["out"], _clean_images(i, batches)).item() for i, r in enumerate(records)]
    return torch.tensor(losses, dtype=torch.float64).view(EPOCHS, BATCHES)


# How the noise's scale may have been computed, beside t/1000 · noise_level: a catalog key or an open diagnosis.
SCALE_LAWS: tuple[tuple[str | Diagnosis, Callable[[torch.Tensor], torch.Tensor]], ...] = (
    ("training.constant_noise_level", lambda t: torch.full((len(t), 1, 1, 1), NOISE_LEVEL, dtype=torch.float64)),
    (Diagnosis(f"{AREA}.scale_not_normalised", "The noise scale is t · noise_level, not t/1000 · noise_level",
               "Your noise is scaled by the raw timestep times noise_level: the timestep was not divided by 1000, so the noise "
               "is up to a thousand times too strong and almost every image is pure noise.",
               "Scale by `timesteps / 1000 * noise_level`."),
     lambda t: (t.double() * NOISE_LEVEL)[:, None, None, None]),
    (Diagnosis(f"{AREA}.noise_level_ignored", "The noise scale leaves out noise_level",
               "Your noise is scaled by t/1000 alone: the noise_level argument never enters it, so the loop trains at another noise "
               "strength than the caller asked for.",
               "Scale by `timesteps / 1000 * noise_level`."),
     lambda t: (t.double() / NUM_TIMESTEPS)[:, None, None, None]),
    (Diagnosis(f"{AREA}.noise_level_written_in", "The lesson's noise level 0.5 is written in",
               "Your noise is scaled by t/1000 · 0.5 whatever noise_level the loop is given: the lesson's default is typed in where "
               "the argument belongs.",
               "Use the noise_level argument: `timesteps / 1000 * noise_level`."),
     lambda t: (t.double() / NUM_TIMESTEPS * 0.5)[:, None, None, None]),
)

# What a loop may report per epoch instead of the mean of its batch losses: key, title, summary of (epochs, batches).
HISTORY_LAWS: tuple[tuple[str, str, Callable[[torch.Tensor], torch.Tensor]], ...] = (
    ("history_sum", "the sum of the epoch's batch losses", lambda losses: losses.sum(dim=1)),
    ("history_last_batch", "the last batch's loss", lambda losses: losses[:, -1]),
    ("history_first_batch", "the first batch's loss", lambda losses: losses[:, 0]),
    ("history_running_mean", "the mean of every batch loss so far", lambda losses: losses.flatten().cumsum(0).view(EPOCHS, BATCHES)[:, -1]
     / torch.arange(1, EPOCHS + 1, dtype=torch.float64) / BATCHES),
)

NEEDS_TIMESTEPS = "Not checked: the model did not receive a timestep per image."
NEEDS_HISTORY = f"Not checked: the loop must return {EPOCHS} losses and call the model once per batch."
NEEDS_RECORD = "Not checked: your loop must run and call the model first."
# (check id, why it is skipped when its data is missing)
RECORD_CHECKS = (
    ("behaviour.calls", ""),
    ("behaviour.timestep", ""),
    ("behaviour.timestep_per_sample", NEEDS_TIMESTEPS),
    ("formula.noisy_input", NEEDS_TIMESTEPS),
    ("behaviour.fresh_noise", NEEDS_TIMESTEPS),
    ("formula.target", ""),
    ("formula.history", NEEDS_HISTORY),
    ("behaviour.order", ""),
    ("behaviour.loss_falls", NEEDS_HISTORY),
)


class DenoiserTraining(DrillChecks):
    def probe(self, module: ModuleType, device: torch.device, attempt: Attempt) -> ProbeRecord:
        train_denoiser = entry(module, "train_denoiser")
        log: list[str] = []
        calls: list[Call] = []
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(9200)
            model = RecordingDenoiser(log, calls).to(device)
        optimizer = RecordingAdam(model.parameters(), log, lr=LEARNING_RATE)
        torch.manual_seed(9300)  # the learner's own draws, reproducible from run to run
        returned: dict[str, Any]
        try:
            returned = {"ok": True, "value": train_denoiser(model, make_batches(), optimizer, EPOCHS, NOISE_LEVEL, str(device))}
        except Exception as error:  # noqa: BLE001 - the learner's loop failing is reported, not raised
            returned = {"ok": False, "error": learner_traceback(error, attempt.learner_file)}
        if returned["ok"]:
            returned["value"] = _losses(returned["value"])
        return {"returned": returned, "log": log, "calls": calls}

    def grade(self, record: ProbeRecord, device: torch.device, grading: Grading) -> None:
        batches = make_batches()
        returned, log, records = record["returned"], record["log"], record["calls"]
        if returned["ok"]:
            grading.check("shape.history", self._history_verdict(returned))
        else:
            grading.error("shape.history", f"Your loop raised:\n{returned['error']}")
        verdicts: dict[str, Verdict | None] = {}
        if records and returned["ok"]:
            verdicts = {
                "behaviour.calls": self._calls_verdict(records, device),
                "behaviour.timestep": self._timestep_verdict(records),
                "behaviour.timestep_per_sample": self._per_sample_verdict(records),
                "formula.noisy_input": self._noise_verdict(records, batches),
                "behaviour.fresh_noise": self._fresh_noise_verdict(records, batches),
                "formula.target": self._target_verdict(records, batches),
                "formula.history": self._history_values_verdict(returned, records, batches),
                "behaviour.order": self._order_verdict(log),
                "behaviour.loss_falls": self._falls_verdict(returned),
            }
        for check_id, reason in RECORD_CHECKS:
            verdict = verdicts.get(check_id)
            if verdict is None:
                grading.skip(check_id, reason if verdicts else NEEDS_RECORD)
            else:
                grading.check(check_id, verdict)
        if not grading.all_passed():
            self._diagnose(returned, records, log, batches, verdicts, grading)

    # ---- checks ----------------------------------------------------------------------------------

    @staticmethod
    def _history_verdict(returned: dict[str, Any]) -> Verdict:
        value = returned["value"]
        if isinstance(value, str) or len(value) != EPOCHS:
            got = value if isinstance(value, str) else f"{len(value)} numbers"
            return failed(f"train_denoiser should return {EPOCHS} average losses (one per epoch), but it returned {got}.")
        return passed(f"Returns one average loss per epoch ({EPOCHS} floats)")

    @staticmethod
    def _calls_verdict(records: Sequence[Call], device: torch.device) -> Verdict:
        expected = EPOCHS * BATCHES
        if len(records) != expected:
            return failed(f"The model was called {len(records)} times; {EPOCHS} epochs of {BATCHES} batches need {expected} calls, "
                          "one per batch.")
        shape = (BATCH_SIZE, 1, SIZE, SIZE)
        wrong = next((r for r in records if tuple(r["x"].shape) != shape or not compare.same_device(r["device"], device)), None)
        if wrong is not None:
            got = f"{tuple(wrong['x'].shape)} on {wrong['device']}"
            return failed(f"The model received a batch of shape {got}; expected {shape} on {device}.")
        return passed(f"One model call per batch, each with a {shape} batch on {device.type}")

    @staticmethod
    def _timestep_verdict(records: Sequence[Call]) -> Verdict:
        for record in records:
            t = record["t"]
            if t is None:
                return failed("The model was called without timesteps: pass them, model(noisy, timesteps).")
            if not _usable(record):
                got = f"{t.dtype} of shape {tuple(t.shape)}"
                return failed(f"The timesteps should be a ({BATCH_SIZE},) integer tensor, one per image; got {got}.")
            if int(t.min()) < 0 or int(t.max()) >= NUM_TIMESTEPS:
                return failed(f"Timesteps must lie in [0, {NUM_TIMESTEPS}); got values from {int(t.min())} to {int(t.max())}.")
        return passed("The model receives an integer timestep for every image")

    @staticmethod
    def _per_sample_verdict(records: Sequence[Call]) -> Verdict | None:
        steps = [s for s in (_steps(r) for r in records) if s is not None]
        if not steps:
            return None
        shared = sum(1 for s in steps if len(torch.unique(s)) == 1)
        if shared:
            return failed(f"In {shared} of {len(steps)} batches every image got the same timestep; each image should draw its own.")
        return passed("Each image of a batch gets its own timestep")

    @staticmethod
    def _noise_verdict(records: Sequence[Call], batches: Batches) -> Verdict | None:
        if not records or any(_steps(r) is None for r in records):
            return None
        noise = _recovered_noise(records, batches, _scales)
        verdict = compare.standard_normal("The noise in the model's input, divided by t/1000 · noise_level,", noise)
        if verdict.ok:
            return passed(f"noisy = images + (t/1000 · noise_level) · ε with ε standard normal ({verdict.message.split('(')[-1]}")
        return verdict

    @staticmethod
    def _fresh_noise_verdict(records: Sequence[Call], batches: Batches) -> Verdict | None:
        """The noise recovered in consecutive calls is uncorrelated: it is drawn afresh for every batch."""
        if len(records) < 2 or any(_steps(r) is None for r in records):
            return None
        pieces = _recovered(records, batches, _scales)
        for index in range(len(pieces) - 1):
            a, b = pieces[index].flatten(), pieces[index + 1].flatten()
            both = ~torch.isnan(a) & ~torch.isnan(b)
            if int(both.sum()) < 50:
                continue
            corr, _, _ = compare.largest_correlation(torch.stack([a[both], b[both]]))
            if corr > compare.correlation_limit(int(both.sum())):
                detail = f"the noise in calls {index + 1} and {index + 2} has correlation {corr:.3f}: draw fresh noise for every batch"
                return failed("The same noise is added in different batches.", detail)
        return passed("Every batch gets fresh noise")

    @staticmethod
    def _target_verdict(records: Sequence[Call], batches: Batches) -> Verdict:
        if any(record["grad"] is None for record in records):
            return failed("No gradient reached the model's output in some calls: "
                          "call loss.backward() on a loss computed from the model's prediction.")
        if target_is(records, _clean_target(batches)):
            return passed("The loss compares the prediction with the clean images")
        return failed("The loss does not pull the prediction towards the clean images: the target of the squared error is something else.")

    @staticmethod
    def _history_values_verdict(returned: dict[str, Any], records: Sequence[Call], batches: Batches) -> Verdict | None:
        if isinstance(returned["value"], str) or len(returned["value"]) != EPOCHS or len(records) != EPOCHS * BATCHES:
            return None
        expected = _batch_losses(records, batches).mean(dim=1)
        got = torch.tensor(returned["value"], dtype=torch.float64)
        return compare.values("The list of epoch averages you returned", got, expected, atol=1e-5, rtol=1e-4)

    @staticmethod
    def _order_verdict(log: Sequence[str]) -> Verdict:
        problems = order_problems(log)
        steps = log.count("step")
        if problems:
            named = ", ".join(p.split(".")[1].replace("_", " ") for p in problems)
            return failed(f"The optimisation steps are out of order ({named}).", " → ".join(log[:14]) + " …")
        if steps != EPOCHS * BATCHES:
            return failed(f"optimizer.step() ran {steps} times; it should run once per batch ({EPOCHS * BATCHES}).")
        return passed("Every batch does zero_grad → backward → step, in that order")

    @staticmethod
    def _falls_verdict(returned: dict[str, Any]) -> Verdict | None:
        value = returned["value"]
        if isinstance(value, str) or len(value) != EPOCHS:
            return None
        if value[-1] < 0.7 * value[0]:
            return passed(f"The loss falls: {value[0]:.4f} in the first epoch, {value[-1]:.4f} in the last")
        return failed(f"The loss does not fall: {value[0]:.4f} in the first epoch, {value[-1]:.4f} in the last.")

    # ---- diagnosis -------------------------------------------------------------------------------

    def _diagnose(self, returned: dict[str, Any], records: Sequence[Call], log: Sequence[str], batches: Batches,
                  verdicts: dict[str, Verdict | None], grading: Grading) -> None:
        def failing(check_id: str) -> bool:
            verdict = verdicts.get(check_id)
            return verdict is not None and not verdict.ok

        if any(record["t"] is None for record in records):
            grading.diagnose("training.timestep_not_passed")
        steps = [s for s in (_steps(r) for r in records) if s is not None]
        if steps and all(len(torch.unique(s)) == 1 for s in steps):
            grading.diagnose("training.single_timestep")
        if records and all(torch.equal(r["x"], _clean_images(i, batches)) for i, r in enumerate(records)):
            grading.diagnose("training.model_sees_clean_images")
        elif failing("formula.noisy_input"):
            self._diagnose_noise(records, batches, grading)
        elif failing("behaviour.fresh_noise"):
            grading.diagnose("training.noise_reused")
        if failing("formula.target") and records and all(r["grad"] is not None for r in records):
            if target_is(records, _noise_target(batches)):
                grading.diagnose("training.noise_target")
            elif target_is(records, _noisy_target):
                grading.diagnose("training.noisy_target")
        for key in order_problems(log)[:1]:  # later slips follow from the first misplaced call
            grading.diagnose(key)
        if not grading.diagnosed and failing("formula.history"):
            self._diagnose_history(returned, records, batches, grading)
        if not grading.diagnosed and not returned["ok"]:
            problem = layouts.error_diagnosis(AREA, returned["error"])
            if problem is not None:
                grading.add_diagnosis(problem)

    @staticmethod
    def _diagnose_noise(records: Sequence[Call], batches: Batches, grading: Grading) -> None:
        """The law of the noise's scale under which the recovered noise is standard normal, or uniform noise."""
        for named, law in SCALE_LAWS:
            if compare.standard_normal("", _recovered_noise(records, batches, law)).ok:
                if isinstance(named, str):
                    grading.diagnose(named)
                else:
                    grading.add_diagnosis(named)
                return
        noise = _recovered_noise(records, batches, _scales)
        if bool(((noise > -1e-4) & (noise < 1 + 1e-4)).all()):
            grading.diagnose("training.uniform_noise")

    @staticmethod
    def _diagnose_history(returned: dict[str, Any], records: Sequence[Call], batches: Batches, grading: Grading) -> None:
        losses = _batch_losses(records, batches)
        got = torch.tensor(returned["value"], dtype=torch.float64)
        for key, what, law in HISTORY_LAWS:
            if compare.matches(got, law(losses), atol=1e-5, rtol=1e-4):
                grading.add_diagnosis(Diagnosis(
                    f"{AREA}.{key}",
                    f"Each epoch reports {what}",
                    f"The history you return holds, for every epoch, {what} instead of the average of its batch losses.",
                    "Add up the batch losses of the epoch and divide by the number of batches: `total / len(dataloader)`.",
                ))
                return


checks = DenoiserTraining()
