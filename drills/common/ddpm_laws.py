"""The lessons' reverse-process laws, as functions the sampler and mean drills grade against.

μ_θ(x_t, t) = 1/√α_t · (x_t − (1 − α_t)/√(1 − ᾱ_t) · ε̂) and x_{t−1} = μ + σ_t·z with σ_t = √β_t
for t > 0 and no noise at t = 0. :func:`mean_formula` builds that mean or a catalogued variant of
it from schedule entries, so that each mistake is one argument away from the truth.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from reference import linear_beta_schedule, precompute_schedule

Schedule = dict[str, torch.Tensor]
Mean = Callable[[torch.Tensor, torch.Tensor, torch.Tensor, Schedule], torch.Tensor]


def sampler_schedule(T: int = 40, beta_start: float = 1e-3, beta_end: float = 0.1) -> Schedule:
    """A short linear schedule whose steps all carry visible noise: √β_t ranges over 0.03–0.32,
    so σ = √β, σ = β and σ = √β̃ tell apart at every step, and the chain stays small enough in
    float32 for even the explosive bugs to be fitted."""
    return precompute_schedule(linear_beta_schedule(T, beta_start, beta_end))


def coefficient(values: torch.Tensor, t: torch.Tensor, ndim: int, broadcast: bool = True) -> torch.Tensor:
    """``values[t]``, shaped (B, 1, …, 1) to broadcast over a batch of ``ndim`` dimensions."""
    gathered = values[t]
    return gathered.reshape(-1, *([1] * (ndim - 1))) if broadcast else gathered


def one_over_sqrt_alpha(s: Schedule) -> torch.Tensor:
    return 1.0 / s["sqrt_alpha"]


def eps_coefficient(s: Schedule) -> torch.Tensor:
    return (1.0 - s["alphas"]) / s["sqrt_one_minus_alpha_bar"]


def mean_formula(
    scale: Callable[[Schedule], torch.Tensor] = one_over_sqrt_alpha,
    eps_scale: Callable[[Schedule], torch.Tensor] = eps_coefficient,
    sign: float = -1.0,
    scale_whole: bool = True,
    per_sample: bool = True,
    broadcast: bool = True,
) -> Mean:
    """A variant of μ = scale_t · (x_t − eps_scale_t · ε̂), built from schedule entries.

    ``scale_whole=False`` applies the scale to x_t only; ``per_sample=False`` uses t[0] for every
    image; ``broadcast=False`` leaves the gathered (B,) coefficients unshaped.
    """

    def mean(x_t: torch.Tensor, t: torch.Tensor, eps: torch.Tensor, schedule: Schedule) -> torch.Tensor:
        steps = t if per_sample else t[:1].expand_as(t)
        a = coefficient(scale(schedule), steps, x_t.ndim, broadcast)
        c = coefficient(eps_scale(schedule), steps, x_t.ndim, broadcast)
        if scale_whole:
            return a * (x_t + sign * c * eps)
        return a * x_t + sign * c * eps

    return mean


def sigma_sqrt_beta(t: int, s: Schedule) -> float:
    """The lessons' σ_t = √β_t, and no noise at the last step."""
    return 0.0 if t == 0 else float(torch.sqrt(s["betas"][t]))


REVERSE_MEAN = mean_formula()
