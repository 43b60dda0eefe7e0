"""Grading forward_diffusion: x_t is checked against the noise the learner returned, and that
noise is checked separately for being standard normal, so any way of drawing it passes."""

from __future__ import annotations

import torch

from engine.drills import compare
from engine.drills.capture import entry
from engine.drills.grading import passed
from reference import cosine_beta_schedule, linear_beta_schedule, precompute_schedule, q_sample

# Batch, channels, height and width all differ in "mixed"; "batch_is_width" lets a missing
# reshape broadcast silently; "large" has enough values to test the noise's statistics.
CASES = {
    "mixed": ((3, 2, 5, 7), "linear", [10, 500, 999]),
    "batch_is_width": ((4, 3, 6, 4), "cosine", [0, 250, 640, 999]),
    "large": ((16, 3, 16, 16), "linear", list(range(0, 1000, 63))),
}


def make_case(name: str, device: torch.device):
    shape, kind, steps = CASES[name]
    generator = torch.Generator().manual_seed(1234 + len(name))
    x_0 = (torch.rand(shape, generator=generator) * 2 - 1).to(device)
    betas = linear_beta_schedule(1000) if kind == "linear" else cosine_beta_schedule(1000)
    schedule = {key: value.to(device) for key, value in precompute_schedule(betas).items()}
    return x_0, torch.tensor(steps, dtype=torch.long, device=device), schedule


def probe(module, device, attempt):
    forward_diffusion = entry(module, "forward_diffusion")
    return {name: attempt(forward_diffusion, *make_case(name, device)) for name in CASES}


def _coefficients(values, t, broadcast):
    gathered = values[t]
    return gathered.view(-1, 1, 1, 1) if broadcast else gathered


def _formula(signal, noise_scale, per_sample=True, broadcast=True):
    """A variant of x_t = signal(ᾱ)·x_0 + noise_scale(ᾱ)·ε, built from schedule entries."""

    def x_t(x_0, t, schedule, noise):
        steps = t if per_sample else t[:1].expand_as(t)
        a = _coefficients(signal(schedule), steps, broadcast)
        b = _coefficients(noise_scale(schedule), steps, broadcast)
        return a * x_0 + b * noise

    return x_t


def _sqrt_ab(s):
    return s["sqrt_alpha_bar"]


def _sqrt_omab(s):
    return s["sqrt_one_minus_alpha_bar"]


VARIANTS = {
    "forward.no_sqrt": _formula(lambda s: s["alpha_bar"], lambda s: 1 - s["alpha_bar"]),
    "forward.sqrt_missing_on_noise": _formula(_sqrt_ab, lambda s: 1 - s["alpha_bar"]),
    "forward.sqrt_missing_on_signal": _formula(lambda s: s["alpha_bar"], _sqrt_omab),
    "forward.swapped_coefficients": _formula(_sqrt_omab, _sqrt_ab),
    "forward.alpha_instead_of_alpha_bar": _formula(lambda s: s["sqrt_alpha"], lambda s: torch.sqrt(s["betas"])),
    "forward.minus_noise": _formula(_sqrt_ab, lambda s: -s["sqrt_one_minus_alpha_bar"]),
    "forward.single_timestep": _formula(_sqrt_ab, _sqrt_omab, per_sample=False),
    "forward.missing_reshape": _formula(_sqrt_ab, _sqrt_omab, broadcast=False),
}


def _diagnose(x_0, t, schedule, x_t, noise):
    """The catalog keys whose variant reproduces the learner's x_t from their own noise."""
    found = []
    for key, variant in VARIANTS.items():
        try:
            expected = variant(x_0, t, schedule, noise)
        except RuntimeError:
            continue
        if compare.matches(x_t, expected):
            found.append(key)
    if not found:
        residual = (x_t - schedule["sqrt_alpha_bar"][t].view(-1, 1, 1, 1) * x_0) / schedule[
            "sqrt_one_minus_alpha_bar"
        ][t].view(-1, 1, 1, 1)
        if compare.standard_normal("", residual).ok and not compare.matches(residual, noise, atol=1e-3):
            found.append("forward.returned_other_noise")
    return found


def _returned_pair(name, x_0, call, device, grading):
    """Shape checks for one batch; the (x_t, noise) pair on the grading device when they pass."""
    if not call["ok"]:
        grading.error(f"shape.{name}", "shape", f"Your function raised on a batch of shape {tuple(x_0.shape)}:\n{call['error']}")
        return None
    verdict = compare.sequence("forward_diffusion", call["value"], 2)
    if verdict.ok:
        x_t, noise = call["value"]["items"]
        verdict = compare.layout("x_t", x_t, x_0.shape, x_0.dtype, device)
        if verdict.ok:
            verdict = compare.layout("noise", noise, x_0.shape, x_0.dtype, device)
        if verdict.ok:
            verdict = passed(f"x_t and noise: {verdict.message.removeprefix('noise: ')}")
    if not grading.check(f"shape.{name}", "shape", verdict):
        return None
    return x_t["data"].to(device), noise["data"].to(device)


def grade(calls, device, grading):
    gradable = noise_checked = True
    for name in CASES:
        x_0, t, schedule = make_case(name, device)
        pair = _returned_pair(name, x_0, calls[name], device, grading)
        if pair is None:
            gradable = False
            noise_checked &= name != "large"
            grading.skip(f"formula.x_t.{name}", "formula", "Not checked: fix the shape of this batch first.", points=2.0)
            continue
        x_t, noise = pair
        verdict = compare.values(f"x_t for the '{name}' batch (computed with your returned noise)", x_t, q_sample(x_0, t, schedule, noise))
        if not verdict.ok:
            for key in _diagnose(x_0, t, schedule, x_t, noise):
                grading.diagnose(key)
        grading.check(f"formula.x_t.{name}", "formula", verdict, points=2.0)
        if name == "large":
            verdict = compare.standard_normal("The returned noise", noise)
            if not verdict.ok and bool(((noise >= 0) & (noise < 1)).all()):
                grading.diagnose("forward.uniform_noise")
            grading.check("formula.noise", "formula", verdict, points=2.0)
    if not noise_checked:
        grading.skip("formula.noise", "formula", "The noise could not be checked: fix the shapes first.", points=2.0)
    grading.catalog_check(gradable)
