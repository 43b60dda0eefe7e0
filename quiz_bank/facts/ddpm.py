"""Computed facts for the DDPM, schedule and CFG questions, in the lessons' conventions.

Every function takes keyword arguments only and returns the exact text that must appear in the
question where its ``fact`` says (every correct answer and no wrong one, or the prompt). Values
come from the reference implementation, so an answer can never drift from the code the drills
grade against. Timesteps are 0-indexed, as in ``reference.schedules``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

import torch

from reference.diffusion import extract, q_sample, reverse_sigma, sample_ddpm
from reference.guidance import guided_noise, sample_cfg
from reference.schedules import cosine_beta_schedule, first_step_below, linear_beta_schedule, precompute_schedule

SCHEDULES: dict[str, Callable[[int], torch.Tensor]] = {"linear": linear_beta_schedule, "cosine": cosine_beta_schedule}


@cache
def _schedule(schedule: str, T: int) -> dict[str, torch.Tensor]:
    if schedule not in SCHEDULES:
        raise ValueError(f"unknown schedule {schedule!r} (expected one of {', '.join(SCHEDULES)})")
    return precompute_schedule(SCHEDULES[schedule](T))


def _fmt(value: float | torch.Tensor, digits: int) -> str:
    return f"{float(value):.{digits}f}"


def _shape(shape: Sequence[int]) -> str:
    """Python's tuple notation: "(8, 1, 1, 1)"."""
    return str(tuple(int(d) for d in shape))


def beta_at(*, schedule: str, T: int, t: int, digits: int = 4) -> str:
    """β_t of the given schedule."""
    return _fmt(_schedule(schedule, T)["betas"][t], digits)


def alpha_at(*, schedule: str, T: int, t: int, digits: int = 4) -> str:
    """α_t = 1 − β_t of the given schedule."""
    return _fmt(_schedule(schedule, T)["alphas"][t], digits)


def sigma_at(*, schedule: str, T: int, t: int, digits: int = 4) -> str:
    """σ_t = √β_t of the reverse step (0 at t = 0)."""
    return _fmt(reverse_sigma(t, _schedule(schedule, T)), digits)


def reverse_x_coeff_at(*, schedule: str, T: int, t: int, digits: int = 4) -> str:
    """The outer factor 1 / √α_t of the reverse mean."""
    return _fmt(1.0 / _schedule(schedule, T)["sqrt_alpha"][t], digits)


def mix_value(*, alpha_bar: float, x0: float, eps: float, digits: int = 2) -> str:
    """x_t of a one-pixel image for a given ᾱ_t and noise value, via ``reference.q_sample``."""
    one_step = {
        "sqrt_alpha_bar": torch.tensor([alpha_bar], dtype=torch.float64).sqrt(),
        "sqrt_one_minus_alpha_bar": torch.tensor([1.0 - alpha_bar], dtype=torch.float64).sqrt(),
    }
    x = torch.full((1, 1, 1, 1), float(x0), dtype=torch.float64)
    e = torch.full((1, 1, 1, 1), float(eps), dtype=torch.float64)
    return _fmt(q_sample(x, torch.tensor([0]), one_step, e).item(), digits)


def mix_coefficients(*, schedule: str, T: int, t: int, digits: int = 2) -> str:
    """What x_t is made of, read off ``reference.q_sample``: "0.28·x_0 + 0.96·ε"."""
    s = _schedule(schedule, T)
    unit, zero = torch.ones(1, 1, 1, 1), torch.zeros(1, 1, 1, 1)
    signal = q_sample(unit, torch.tensor([t]), s, zero).item()
    noise = q_sample(zero, torch.tensor([t]), s, unit).item()
    return f"{signal:.{digits}f}·x_0 + {noise:.{digits}f}·ε"


def earliest_crossing(*, T: int, threshold: float) -> str:
    """Which schedule first brings ᾱ_t below ``threshold``, and at which step: "The linear schedule, at t = 673"."""
    steps = {name: first_step_below(_schedule(name, T)["alpha_bar"], threshold) for name in SCHEDULES}
    reached = {name: step for name, step in steps.items() if step >= 0}
    name = min(reached, key=lambda key: reached[key])
    return f"The {name} schedule, at t = {reached[name]}"


class _Counting(torch.nn.Module):
    """A stand-in noise predictor that predicts zeros and counts its calls."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def forward(self, x: torch.Tensor, *conditions: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        return torch.zeros_like(x)


def sampling_cost(*, T: int) -> str:
    """Network calls of ``reference.sample_ddpm`` and the steps whose σ_t adds fresh noise."""
    s = _schedule("linear", T)
    model = _Counting()
    sample_ddpm(model, 1, 1, 1, s, "cpu")
    draws = sum(1 for t in range(T) if float(reverse_sigma(t, s)) > 0.0)
    return f"{model.calls} network calls and {draws} noise draws"


def cfg_calls(*, T: int) -> str:
    """Network calls of guided sampling: ``reference.sample_cfg`` (one doubled batch per step) and
    the same with two separate passes."""
    model = _Counting()
    sample_cfg(model, (1, 1, 1, 1), _schedule("linear", T), torch.tensor([0]), 3.0, 10, "cpu")
    return f"{2 * model.calls} with separate passes, or {model.calls} with the doubled batch"


def guided_noise_value(*, cond: float, uncond: float, w: float, digits: int = 2) -> str:
    """ε̂ = ε̂_∅ + w · (ε̂_c − ε̂_∅) for scalar inputs, via ``reference.guided_noise``."""
    return _fmt(guided_noise(torch.tensor(float(cond)), torch.tensor(float(uncond)), float(w)).item(), digits)


def conditional_scale(*, digits: int = 1) -> str:
    """The scale s at which ``reference.guided_noise`` returns the conditional prediction itself."""
    cond, uncond = torch.tensor(0.7, dtype=torch.float64), torch.tensor(-0.3, dtype=torch.float64)
    # guided_noise is affine in the scale: solve guided(s) = cond from two evaluations.
    g0, g1 = guided_noise(cond, uncond, 0.0), guided_noise(cond, uncond, 1.0)
    return _fmt(float((cond - g0) / (g1 - g0)), digits)


def swapped_guidance_scale(*, w: float, digits: int = 1) -> str:
    """The standard scale that ``ε̂_c + w·(ε̂_∅ − ε̂_c)`` (the two predictions swapped) amounts to: 1 − w."""
    cond, uncond = torch.tensor(0.7, dtype=torch.float64), torch.tensor(-0.3, dtype=torch.float64)
    buggy = guided_noise(uncond, cond, float(w))  # the reference formula with the roles swapped
    return _fmt(float((buggy - uncond) / (cond - uncond)), digits)


def extract_shape(*, B: int, C: int, H: int, W: int, T: int = 1000) -> str:
    """Shape that ``reference.extract`` gives a per-sample coefficient for a (B, C, H, W) batch."""
    t = torch.zeros(B, dtype=torch.long)
    return _shape(extract(_schedule("linear", T)["alpha_bar"], t, len((B, C, H, W))).shape)


def cfg_batch_shape(*, B: int, C: int, H: int, W: int) -> str:
    """Shape of the doubled batch torch.cat([x, x]) that feeds cond and uncond passes together."""
    x = torch.zeros(B, C, H, W)
    return _shape(torch.cat([x, x]).shape)


def expected_dropped(*, batch: int, p: float) -> str:
    """Expected number of Bernoulli(p) drops among ``batch`` independent draws."""
    return f"{torch.distributions.Binomial(batch, torch.tensor(p)).mean.item():g}"


def zero_predictor_mse(*, digits: int = 1) -> str:
    """Expected L_simple of a model that always predicts ε̂ = 0: E[ε²] = Var N(0, 1)."""
    return _fmt(torch.distributions.Normal(0.0, 1.0).variance, digits)


FACTS: dict[str, Callable[..., str]] = {
    "beta_at": beta_at,
    "alpha_at": alpha_at,
    "sigma_at": sigma_at,
    "reverse_x_coeff_at": reverse_x_coeff_at,
    "mix_value": mix_value,
    "mix_coefficients": mix_coefficients,
    "earliest_crossing": earliest_crossing,
    "sampling_cost": sampling_cost,
    "cfg_calls": cfg_calls,
    "guided_noise_value": guided_noise_value,
    "conditional_scale": conditional_scale,
    "swapped_guidance_scale": swapped_guidance_scale,
    "extract_shape": extract_shape,
    "cfg_batch_shape": cfg_batch_shape,
    "expected_dropped": expected_dropped,
    "zero_predictor_mse": zero_predictor_mse,
}
