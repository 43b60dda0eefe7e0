"""The lessons' reverse-process laws, as functions the sampler and mean drills grade against.

μ_θ(x_t, t) = 1/√α_t · (x_t − (1 − α_t)/√(1 − ᾱ_t) · ε̂) and x_{t−1} = μ + σ_t·z with σ_t = √β_t
for t > 0 and no noise at t = 0. :func:`mean_formula` builds that mean or a catalogued variant of
it from schedule entries, so that each mistake is one argument away from the truth.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from drills.common.schedule_terms import schedule_terms
from engine.drills.results import Diagnosis
from engine.drills.toolkit import coefficients
from engine.drills.toolkit.samplers import Chain, step_fits
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


def sampler_roles(area: str, sigma: str = "√β_{t}") -> tuple[coefficients.Role, ...]:
    """What each fitted number of a reverse step should be: x_{t−1} = a·x_t + c·ε̂ + σ·z with
    a = 1/√α_t, −c/a = β_t/√(1 − ᾱ_t) and σ = ``sigma`` (the lessons' √β_t unless told)."""
    return (
        coefficients.Role(
            f"{area}.mean_scale", "scale of the mean (on x_t)", "1/√α_{t}", lambda rows: rows[:, 0],
            "μ = 1/√α_t · (x_t − β_t/√(1 − ᾱ_t)·ε̂): scale by `1 / torch.sqrt(alphas[t])`.",
            slack=lambda rows, errors: 4 * errors[:, 0],
        ),
        coefficients.Role(
            f"{area}.mean_noise_coefficient", "noise coefficient of the mean (on ε̂, inside the bracket)", "β_{t}/√(1 − ᾱ_{t})",
            lambda rows: -rows[:, 1] / rows[:, 0],
            "Inside the bracket ε̂ is scaled by β_t/√(1 − ᾱ_t) = (1 − α_t)/`sqrt_one_minus_alpha_bar[t]`.",
            slack=lambda rows, errors: 4 * errors[:, 1] / rows[:, 0].abs(),
        ),
        coefficients.Role(
            f"{area}.sigma", "standard deviation of the added noise", sigma, lambda rows: rows[:, 2],
            f"Add {coefficients.spelled(sigma)}·z with fresh z ~ N(0, I) at every step t > 0.",
            slack=lambda rows, errors: errors[:, 2],
        ),
    )


def step_diagnoses(chain: Chain, schedule: Schedule, area: str, sigma: str = "√β_{t}") -> list[Diagnosis]:
    """Name the coefficients of a chain's steps that differ from the reverse law's."""
    rows, errors, steps = step_fits(chain)
    if len(steps) < 3:
        return []
    table = coefficients.TermTable()
    table.add(schedule_terms(schedule), steps)
    return coefficients.diagnose(rows, None, table, sampler_roles(area, sigma), "your sampler's steps", errors)
