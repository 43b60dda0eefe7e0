"""Recording mock noise models and transition fitting, for the drills where the learner writes a sampler.

A sampler is graded by what it does, not by how it is spelled. It is handed a
``RecordingNoiseModel``: a fixed, deterministic function of (x, t[, labels]) that keeps a copy
of every input it receives. The grader recomputes the model's outputs from those inputs itself
and replays the chain one step at a time. Every step x_t -> x_{t-1} must follow the reverse law
x_{t-1} = μ(x_t, ε̂) + σ_t·z with z ~ N(0, I), and x_{t-1} = μ exactly where σ_t = 0. A
catalogued bug is another law (another mean, another σ, another guidance rule); the law that
fits every step names the bug. Nothing depends on how, or in which order, the learner drew noise.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn

from engine.drills import compare
from engine.drills.capture import capture
from reference import linear_beta_schedule, precompute_schedule

# Exact steps (σ = 0) may differ from the reference by float32 rounding of any correct
# arrangement of the formula, the posterior-mean form included.
EXACT_ATOL, EXACT_RTOL = 1e-4, 1e-4
# A handful of float32 operations, each off by up to one unit in the last place.
FLOAT32_EPS, ROUNDING_OPS, ROUNDING_RTOL = float(torch.finfo(torch.float32).eps), 8, 1e-5


def sampler_schedule(T: int = 40, beta_start: float = 1e-3, beta_end: float = 0.1) -> dict[str, torch.Tensor]:
    """A short linear schedule whose steps all carry visible noise: √β_t ranges over 0.03–0.32,
    so σ = √β, σ = β and σ = √β̃ tell apart at every step, and the chain stays small enough in
    float32 for even the explosive bugs to be fitted."""
    return precompute_schedule(linear_beta_schedule(T, beta_start, beta_end))


@contextmanager
def single_threaded():
    """Run torch on one thread, then restore the previous count (also usable as a decorator).

    A sampler drill runs hundreds of small ops: on one thread they are faster, no idle OpenMP
    workers spin against the main thread, and a grader that has not started the OpenMP pool can
    fork again safely (a child forked after the pool started can deadlock in its first parallel op).
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


# ---------------------------------------------------------------------------------------------
# The mock model


def _per_sample(values, x: torch.Tensor, what: str) -> torch.Tensor:
    """``values`` (one per image, or a single one) shaped to broadcast over the batch x."""
    values = torch.as_tensor(values, device=x.device).to(x.dtype)
    if values.numel() == 1:
        return values.reshape(())
    if values.numel() == x.shape[0]:
        return values.reshape(-1, *([1] * (x.ndim - 1)))
    raise ValueError(f"the model got {x.shape[0]} images but {values.numel()} {what}: pass exactly one per image")


class RecordingNoiseModel(nn.Module):
    """A stand-in noise predictor ε(x, t[, labels]) = tanh(w·x + s(t) [+ s'(label)]).

    It depends on x, on t and on the label in ways that keep every catalogued bug visible, it has
    a parameter that requires grad (so a sampler without ``no_grad`` returns a graph), and it
    records each call's inputs into plain lists that the probe returns to the grader.
    """

    def __init__(self, conditional: bool = False, max_calls: int = 400):
        super().__init__()
        self.weight = nn.Parameter(torch.tensor(0.45))
        self.conditional = conditional
        self.max_calls = max_calls
        self.calls: list[dict] = []

    def predict(self, x: torch.Tensor, t, labels=None) -> torch.Tensor:
        """The model's function itself; the grader calls it on the recorded inputs."""
        shift = 0.8 * torch.sin(0.9 * _per_sample(t, x, "timesteps") + 0.3)
        if labels is not None:
            shift = shift + 0.7 * torch.cos(1.1 * _per_sample(labels, x, "labels") + 0.4)
        return torch.tanh(self.weight * x + shift)

    def forward(self, x, t, *args, **kwargs):
        labels = self._labels(args, kwargs)
        if len(self.calls) >= self.max_calls:
            raise RuntimeError(f"the model was called more than {self.max_calls} times; one call per step is enough")
        record = {"x": capture(x), "t": capture(t), "grad_enabled": torch.is_grad_enabled()}
        if self.conditional:
            record["labels"] = capture(labels)
        self.calls.append(record)
        output = self.predict(x, t, labels)
        record["output_graph"] = bool(output.requires_grad)
        return output

    def _labels(self, args, kwargs):
        given = [*args, *kwargs.values()]
        if not self.conditional:
            if given:
                raise TypeError("this noise model takes (x_t, t) only")
            return None
        if len(given) != 1:
            raise TypeError("this noise model takes (x_t, t, class_labels)")
        return given[0]


# ---------------------------------------------------------------------------------------------
# Reading the recorded calls back


def tensor_of(captured: dict | None, device: torch.device) -> torch.Tensor | None:
    """A captured tensor's data on the grading device (None for anything else)."""
    if not captured or captured.get("kind") != "tensor":
        return None
    return captured["data"].to(device)


def single_value(captured: dict) -> int | None:
    """The one integer a captured timestep (or label) tensor/number holds, if it holds one."""
    if captured.get("kind") == "py" and isinstance(captured["value"], int) and not isinstance(captured["value"], bool):
        return captured["value"]
    if captured.get("kind") == "tensor" and captured["data"].numel() > 0:
        data = captured["data"]
        if data.is_floating_point() and not bool((data == data.round()).all()):
            return None
        if bool((data == data.flatten()[0]).all()):
            return int(data.flatten()[0])
    return None


def describe_timestep_argument(captured: dict, rows: int, device: torch.device) -> str | None:
    """What is wrong with the t a model call received (None when it is a (rows,) long tensor of one value)."""
    if captured.get("kind") != "tensor":
        return f"t should be a ({rows},) long tensor, one timestep per image, but it was {compare.describe(captured)}"
    shape = tuple(captured["data"].shape)
    if shape != (rows,):
        return f"t should have shape ({rows},), one timestep per image, but it had shape {shape}"
    if captured["dtype"] != str(torch.long):
        return f"t should be a long tensor (dtype torch.int64), but it was {captured['dtype']}"
    if not compare.same_device(captured["device"], device):
        return f"t was on {captured['device']}, but the model runs on {device}"
    if single_value(captured) is None:
        return "t held different timesteps for the images of one step"
    return None


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# ---------------------------------------------------------------------------------------------
# Steps and laws


@dataclass
class Step:
    """One transition of the learner's chain, with what the model told it."""

    t: int  # the timestep whose coefficients this step should use: T−1−k for the k-th step (from 0)
    first_call: int  # 1-based number of the step's first model call
    x: torch.Tensor  # x_t as the learner gave it to the model
    eps_cond: torch.Tensor  # the model's prediction (the conditional one, for CFG)
    eps_uncond: torch.Tensor | None  # the unconditional prediction (CFG only)
    x_next: torch.Tensor | None  # x_{t−1}: the next step's x_t, or the returned value after the last step

    def where(self) -> str:
        return f"step t={self.t} (model call {self.first_call})"


def coefficient(values: torch.Tensor, t: torch.Tensor, ndim: int, broadcast: bool = True) -> torch.Tensor:
    gathered = values[t]
    return gathered.reshape(-1, *([1] * (ndim - 1))) if broadcast else gathered


def one_over_sqrt_alpha(s):
    return 1.0 / s["sqrt_alpha"]


def eps_coefficient(s):
    return (1.0 - s["alphas"]) / s["sqrt_one_minus_alpha_bar"]


def mean_formula(
    scale: Callable = one_over_sqrt_alpha,
    eps_scale: Callable = eps_coefficient,
    sign: float = -1.0,
    scale_whole: bool = True,
    per_sample: bool = True,
    broadcast: bool = True,
) -> Callable:
    """A variant of μ = scale_t · (x_t − eps_scale_t · ε̂), built from schedule entries.

    ``scale_whole=False`` applies the scale to x_t only; ``per_sample=False`` uses t[0] for every
    image; ``broadcast=False`` leaves the gathered (B,) coefficients unshaped.
    """

    def mean(x_t, t, eps, schedule):
        steps = t if per_sample else t[:1].expand_as(t)
        a = coefficient(scale(schedule), steps, x_t.ndim, broadcast)
        c = coefficient(eps_scale(schedule), steps, x_t.ndim, broadcast)
        if scale_whole:
            return a * (x_t + sign * c * eps)
        return a * x_t + sign * c * eps

    return mean


def sigma_sqrt_beta(t: int, s) -> float:
    return 0.0 if t == 0 else float(torch.sqrt(s["betas"][t]))


@dataclass(frozen=True)
class StepLaw:
    """How x_{t−1} follows from x_t: the guided ε̂, the mean and the noise scale σ_t."""

    mean: Callable = mean_formula()
    sigma: Callable[[int, dict], float] = sigma_sqrt_beta
    guidance: Callable | None = None  # (eps_cond, eps_uncond) -> ε̂, for CFG

    def eps(self, step: Step) -> torch.Tensor:
        return step.eps_cond if self.guidance is None else self.guidance(step.eps_cond, step.eps_uncond)

    def mean_at(self, step: Step, schedule) -> torch.Tensor:
        t = torch.full((step.x.shape[0],), step.t, dtype=torch.long, device=step.x.device)
        return self.mean(step.x.double(), t, self.eps(step).double(), schedule)


CORRECT = StepLaw()


def double_schedule(schedule: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The schedule in float64, so the grader's own rounding never blurs a fit."""
    return {name: values.double() for name, values in schedule.items()}


def _noise_below_rounding(mean: torch.Tensor, sigma: float) -> bool:
    return float(mean.abs().median()) * FLOAT32_EPS * ROUNDING_OPS > 0.05 * sigma


def misfit(law: StepLaw, step: Step, schedule) -> str | None:
    """None when ``step`` follows ``law``; otherwise what differs (``schedule`` in float64)."""
    if step.x_next is None:
        return f"the chain has no x_{{t−1}} after {step.where()}"
    if step.x_next.shape != step.x.shape:
        return f"x changed shape at {step.where()}: {tuple(step.x.shape)} -> {tuple(step.x_next.shape)}"
    try:
        mean = law.mean_at(step, schedule)
    except RuntimeError as problem:
        return f"the law cannot be applied: {problem}"
    sigma = law.sigma(step.t, schedule)
    x_next = step.x_next.double()
    if sigma == 0:
        ok, detail = compare.closeness(x_next, mean, EXACT_ATOL, EXACT_RTOL)
        return None if ok else f"at {step.where()} x_{{t−1}} should equal the mean μ exactly (no noise); {detail}"
    residual = x_next - mean
    if _noise_below_rounding(mean, sigma):
        # An exploding chain: its float32 values cannot resolve σ_t·z any more, so only the size
        # of the residual is checked.
        ok, detail = compare.closeness(x_next, mean, 6 * sigma, ROUNDING_RTOL)
        return None if ok else f"at {step.where()} x_{{t−1}} is far from the mean μ; {detail}"
    if compare.standard_normal("", residual / sigma).ok:
        return None
    return (
        f"at {step.where()} x_{{t−1}} − μ should be σ_t·z with σ_t = {sigma:.4g} and z ~ N(0, 1), "
        f"but it has mean {float(residual.mean()):.4g} and std {float(residual.std()):.4g} "
        f"over {residual.numel()} values"
    )


def first_misfit(law: StepLaw, steps: list[Step], schedule) -> str | None:
    for step in steps:
        problem = misfit(law, step, schedule)
        if problem:
            return problem
    return None


Variant = tuple[str | None, Callable | None]  # (catalog key, or None for the reference; the function)


def law_combinations(
    means: list[Variant], sigmas: list[Variant], guidances: list[Variant], max_bugs: int = 2
) -> list[tuple[list[str], StepLaw]]:
    """Step laws that combine up to ``max_bugs`` catalogued variants of the mean, σ and guidance,
    fewest bugs first and in catalog order within each count (the reference itself left out)."""
    combinations = []
    for (guidance_key, guidance), (mean_key, mean), (sigma_key, sigma) in itertools.product(guidances, means, sigmas):
        keys = [key for key in (guidance_key, mean_key, sigma_key) if key]
        if 0 < len(keys) <= max_bugs:
            combinations.append((keys, StepLaw(mean, sigma, guidance)))
    return sorted(combinations, key=lambda combination: len(combination[0]))


def fitting_keys(combinations: list[tuple[list[str], StepLaw]], steps: list[Step], schedule) -> list[str]:
    """The catalog keys of the first combination whose law every step follows (none: [])."""
    for keys, law in combinations:
        if steps and first_misfit(law, steps, schedule) is None:
            return keys
    return []


def noises(law: StepLaw, steps: list[Step], schedule) -> torch.Tensor:
    """The z of every noisy step under ``law``, one row per step (flattened)."""
    rows = [
        ((step.x_next.double() - law.mean_at(step, schedule)) / law.sigma(step.t, schedule)).flatten()
        for step in steps
        if law.sigma(step.t, schedule) > 0 and step.x_next is not None
    ]
    return torch.stack(rows) if rows else torch.zeros(0, 0, dtype=torch.float64)


def largest_correlation(z: torch.Tensor) -> tuple[float, int, int]:
    """The largest |correlation| between the noises of two different steps, and which two."""
    if z.shape[0] < 2:
        return 0.0, 0, 0
    centred = z - z.mean(dim=1, keepdim=True)
    unit = centred / centred.norm(dim=1, keepdim=True).clamp_min(1e-12)
    corr = (unit @ unit.T).abs()
    corr.fill_diagonal_(0.0)
    flat = int(corr.argmax())
    return float(corr.flatten()[flat]), flat // corr.shape[0], flat % corr.shape[0]


def correlation_limit(n: int) -> float:
    """A |correlation| that independent noises of n values exceed with negligible probability."""
    return 6.0 / n**0.5 + 0.02


@dataclass
class Chain:
    """What a sampler run did, read back from its model calls (built per drill, graded in common)."""

    steps: list[Step]
    first_x: dict | None  # the captured x_T, as the model first received it
    given: list  # the timestep each step's model call(s) received (None where unreadable)
    call_problem: str | None  # the first way the calls differ from the expected pattern
    graph_problem: str | None  # how the run built an autograd graph, if it did
    xs_constant: bool  # every step was given the same x_t


def all_equal(xs: list[torch.Tensor]) -> bool:
    return len(xs) > 1 and all(x.shape == xs[0].shape and bool(torch.equal(x, xs[0])) for x in xs[1:])


def graph_problem(grad_calls: int, total_calls: int, returned: dict) -> str | None:
    """How a sampler built an autograd graph (None when it built none)."""
    if returned.get("kind") == "tensor" and (returned["requires_grad"] or returned["grad_fn"]):
        return "The returned images carry an autograd graph (requires_grad=True): the sampler ran with gradients on."
    if grad_calls:
        return f"{grad_calls} of {total_calls} model calls ran with gradients enabled and built a graph."
    return None
