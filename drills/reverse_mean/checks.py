"""Grading reverse_mean: the mean against the reference on three batches, and a diagnosis from the
catalog of mean variants when it differs.

The tolerance lets any correct arrangement pass in float32, the posterior-mean form
μ̃ = coef1·x̂_0 + coef2·x_t included (its rounding stays below a tenth of it on these cases),
while every catalogued variant misses it by a factor of three or more on at least one batch.
"""

from __future__ import annotations

import torch

from engine.drills import compare
from engine.drills.capture import entry
from engine.drills.trace import mean_formula, sampler_schedule
from reference import cosine_beta_schedule, linear_beta_schedule, precompute_schedule, reverse_mean

ATOL, RTOL = 1e-4, 1e-4

# Batch, channels, height and width all differ in "mixed"; "batch_is_width" lets a missing reshape
# broadcast silently; "short" has large betas (where misplaced square roots show) and t = 0.
# The standard schedules are used from t = 60 on: below that 1 − ᾱ_t is so close to 0 that float32
# cannot resolve the posterior-mean form's coefficients.
CASES = {
    "mixed": ((3, 2, 5, 7), "linear", [60, 480, 999]),
    "batch_is_width": ((4, 3, 6, 4), "cosine", [100, 700, 250, 900]),
    "short": ((5, 3, 4, 6), "short", [0, 39, 13, 26, 5]),
}


def _schedule(kind: str) -> dict[str, torch.Tensor]:
    if kind == "short":
        return sampler_schedule()
    return precompute_schedule(linear_beta_schedule(1000) if kind == "linear" else cosine_beta_schedule(1000))


def make_case(name: str, device: torch.device):
    shape, kind, steps = CASES[name]
    generator = torch.Generator().manual_seed(4321 + len(name))
    x_t = torch.randn(shape, generator=generator).to(device)
    eps_pred = torch.randn(shape, generator=generator).to(device)
    schedule = {key: value.to(device) for key, value in _schedule(kind).items()}
    return x_t, torch.tensor(steps, dtype=torch.long, device=device), eps_pred, schedule


def probe(module, device, attempt):
    learner_reverse_mean = entry(module, "reverse_mean")
    return {name: attempt(learner_reverse_mean, *make_case(name, device)) for name in CASES}


def _alpha_bar_numerator(s):
    return (1.0 - s["alpha_bar"]) / s["sqrt_one_minus_alpha_bar"]


VARIANTS = {
    "mean.plus_sign": mean_formula(sign=1.0),
    "mean.missing_sqrt_on_alpha": mean_formula(scale=lambda s: 1.0 / s["alphas"]),
    "mean.alpha_bar_in_scale": mean_formula(scale=lambda s: 1.0 / s["sqrt_alpha_bar"]),
    "mean.alpha_bar_in_numerator": mean_formula(eps_scale=_alpha_bar_numerator),
    "mean.missing_sqrt_in_denominator": mean_formula(eps_scale=lambda s: (1.0 - s["alphas"]) / (1.0 - s["alpha_bar"])),
    "mean.sqrt_alpha_bar_in_denominator": mean_formula(eps_scale=lambda s: (1.0 - s["alphas"]) / s["sqrt_alpha_bar"]),
    "mean.scale_not_inverted": mean_formula(scale=lambda s: s["sqrt_alpha"]),
    "mean.scale_only_on_x": mean_formula(scale_whole=False),
    "mean.single_timestep": mean_formula(per_sample=False),
    "mean.missing_reshape": mean_formula(broadcast=False),
}


def _in_float64(x_t, t, eps_pred, schedule):
    return x_t.double(), t, eps_pred.double(), {key: value.double() for key, value in schedule.items()}


def _diagnose(inputs, got) -> list[str]:
    found = []
    for key, variant in VARIANTS.items():
        try:
            expected = variant(*inputs)
        except RuntimeError:
            continue
        if compare.matches(got, expected, ATOL, RTOL):
            found.append(key)
    return found


def grade(calls, device, grading):
    gradable = True
    for name in CASES:
        x_t, t, eps_pred, schedule = make_case(name, device)
        call = calls[name]
        if not call["ok"]:
            gradable = False
            grading.error(f"shape.{name}", "shape", f"Your function raised on a batch of shape {tuple(x_t.shape)}:\n{call['error']}")
            grading.skip(f"formula.mean.{name}", "formula", "Not checked: your function raised on this batch.", points=2.0)
            continue
        if not grading.check(f"shape.{name}", "shape", compare.layout("The mean", call["value"], x_t.shape, x_t.dtype, device)):
            gradable = False
            grading.skip(f"formula.mean.{name}", "formula", "Not checked: fix the shape of the mean first.", points=2.0)
            continue
        got = call["value"]["data"].to(device)
        inputs = _in_float64(x_t, t, eps_pred, schedule)
        verdict = compare.values(f"The mean for the '{name}' batch (t = {t.tolist()})", got, reverse_mean(*inputs), ATOL, RTOL)
        if not verdict.ok:
            for key in _diagnose(inputs, got):
                grading.diagnose(key)
        grading.check(f"formula.mean.{name}", "formula", verdict, points=2.0)
    grading.catalog_check(gradable)
