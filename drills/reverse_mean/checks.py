"""Grading reverse_mean: the mean against the reference on three batches, shapes first.

The tolerance lets any correct arrangement pass in float32, the posterior-mean form
μ̃ = coef1·x̂_0 + coef2·x_t included (its rounding stays below a tenth of it on these cases),
while every catalogued variant misses it by a factor of three or more on at least one batch.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from drills.common.ddpm_laws import mean_formula, sampler_schedule
from drills.common.schedule_terms import schedule_terms
from engine.drills import compare
from engine.drills.results import Diagnosis
from engine.drills.toolkit import coefficients
from engine.drills.toolkit.functions import Case, FunctionDrill, Observation
from reference import cosine_beta_schedule, linear_beta_schedule, precompute_schedule, reverse_mean


def _schedule(kind: str) -> dict[str, torch.Tensor]:
    if kind == "short":
        return sampler_schedule()
    return precompute_schedule(linear_beta_schedule(1000) if kind == "linear" else cosine_beta_schedule(1000))


def _case(name: str, shape: tuple[int, ...], kind: str, steps: list[int]) -> Case:
    def inputs(device: torch.device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, dict[str, torch.Tensor]]:
        generator = torch.Generator().manual_seed(4321 + len(name))
        x_t = torch.randn(shape, generator=generator).to(device)
        eps_pred = torch.randn(shape, generator=generator).to(device)
        schedule = {key: value.to(device) for key, value in _schedule(kind).items()}
        return x_t, torch.tensor(steps, dtype=torch.long, device=device), eps_pred, schedule

    return Case(name, f"the '{name}' batch (t = {steps})", inputs)


def _alpha_bar_numerator(s: dict[str, torch.Tensor]) -> torch.Tensor:
    return (1.0 - s["alpha_bar"]) / s["sqrt_one_minus_alpha_bar"]


def _x0_estimate(x_t, t, eps_pred, schedule):
    """x̂_0 = (x_t − √(1 − ᾱ_t)·ε̂)/√ᾱ_t: the clean-image estimate, not the step's mean."""
    a = schedule["sqrt_alpha_bar"][t].reshape(-1, 1, 1, 1)
    b = schedule["sqrt_one_minus_alpha_bar"][t].reshape(-1, 1, 1, 1)
    return (x_t - b * eps_pred) / a


ROLES = (
    coefficients.Role(
        "mean.scale", "scale (on x_t)", "1/√α_{t}", lambda rows: rows[:, 0],
        "μ = 1/√α_t · (x_t − β_t/√(1 − ᾱ_t)·ε̂): the scale is `1 / schedule['sqrt_alpha'][t]`.",
    ),
    coefficients.Role(
        "mean.noise_coefficient", "noise coefficient (on ε̂, inside the bracket)", "β_{t}/√(1 − ᾱ_{t})",
        lambda rows: -rows[:, 1] / rows[:, 0],
        "Inside the bracket ε̂ is scaled by β_t/√(1 − ᾱ_t) = (1 − α_t)/`sqrt_one_minus_alpha_bar[t]`.",
    ),
)


class ReverseMean(FunctionDrill):
    entry = "reverse_mean"
    output_name = "The mean"
    atol = rtol = 1e-4
    # Batch, channels, height and width all differ in "mixed"; "batch_is_width" lets a missing
    # reshape broadcast silently; "short" has large betas (where misplaced square roots show) and
    # t = 0. The standard schedules start at t = 60: below it 1 − ᾱ_t is so close to 0 that float32
    # cannot resolve the posterior-mean form's coefficients.
    cases = (
        _case("mixed", (3, 2, 5, 7), "linear", [60, 480, 999]),
        _case("batch_is_width", (4, 3, 6, 4), "cosine", [100, 700, 250, 900]),
        _case("short", (5, 3, 4, 6), "short", [0, 39, 13, 26, 5]),
    )
    variants = (
        ("mean.plus_sign", mean_formula(sign=1.0)),
        ("mean.missing_sqrt_on_alpha", mean_formula(scale=lambda s: 1.0 / s["alphas"])),
        ("mean.alpha_bar_in_scale", mean_formula(scale=lambda s: 1.0 / s["sqrt_alpha_bar"])),
        ("mean.alpha_bar_in_numerator", mean_formula(eps_scale=_alpha_bar_numerator)),
        ("mean.missing_sqrt_in_denominator", mean_formula(eps_scale=lambda s: (1.0 - s["alphas"]) / (1.0 - s["alpha_bar"]))),
        ("mean.sqrt_alpha_bar_in_denominator", mean_formula(eps_scale=lambda s: (1.0 - s["alphas"]) / s["sqrt_alpha_bar"])),
        ("mean.scale_not_inverted", mean_formula(scale=lambda s: s["sqrt_alpha"])),
        ("mean.scale_only_on_x", mean_formula(scale_whole=False)),
        ("mean.single_timestep", mean_formula(per_sample=False)),
        ("mean.missing_reshape", mean_formula(broadcast=False)),
        ("mean.returns_x0_estimate", _x0_estimate),
    )

    def reference(self, *inputs):
        return reverse_mean(*self._in_float64(inputs)).float()

    @staticmethod
    def _in_float64(inputs):
        x_t, t, eps_pred, schedule = inputs
        return x_t.double(), t, eps_pred.double(), {key: value.double() for key, value in schedule.items()}

    def variant_inputs(self, observation: Observation):
        return self._in_float64(observation.inputs)

    def recognised(self, observations: Sequence[Observation], device: torch.device) -> list[str]:
        """The mean with the step's noise σ_t·z already added: right on average, noisy by √β_t."""
        for observation in observations:
            observed, expected = observation.observed, observation.expected
            if expected is None:
                continue
            assert isinstance(observed, torch.Tensor) and isinstance(expected, torch.Tensor)  # a layout that passed
            _, t, _, schedule = observation.inputs
            noise = (observed - expected) / schedule["betas"][t].sqrt().view(-1, 1, 1, 1)
            noisy = t > 0
            if bool(noisy.sum() >= 2) and compare.standard_normal("", noise[noisy]).ok:
                return ["mean.adds_noise"]
        return []

    def open_diagnoses(self, observations: Sequence[Observation], device: torch.device) -> list[Diagnosis]:
        fitted, residuals, table = [], [], coefficients.TermTable()
        for observation in observations:
            if observation.expected is None:
                continue
            assert isinstance(observation.observed, torch.Tensor)  # a layout that passed
            x_t, t, eps_pred, schedule = observation.inputs
            rows, residual = coefficients.fit(observation.observed, [x_t, eps_pred])
            fitted.append(rows)
            residuals.append(residual)
            table.add(schedule_terms(schedule), t)
        if not fitted:
            return []
        return coefficients.diagnose(torch.cat(fitted), torch.cat(residuals), table, ROLES, "your mean")


checks = ReverseMean()
