"""Grading cosine_beta_schedule: exact layout, then the values for several T and one larger s
(a misplaced offset s hides at s = 0.008 more easily than at s = 0.1)."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from engine.drills.toolkit.functions import Case, FunctionDrill
from reference import cosine_beta_schedule


def _angle(steps, T, s):
    return (steps / T + s) / (1 + s) * (math.pi / 2)


def _angle_without_one_plus_s(steps, T, s):
    return (steps / T + s) * (math.pi / 2)


def _angle_precedence_slip(steps, T, s):
    return (steps / T + s / (1 + s)) * (math.pi / 2)


def _alpha_bar(T, s, angle=_angle, square=True, with_last_step=True, dtype=torch.float32):
    """ᾱ_0 … ᾱ_T (or ᾱ_0 … ᾱ_{T−1} without the last step), normalised so that ᾱ_0 = 1."""
    steps = torch.arange(T + 1 if with_last_step else T, dtype=dtype)
    f = torch.cos(angle(steps, T, s))
    f = f**2 if square else f
    return f / f[0]


def _angle_halved(steps, T, s):
    return (steps / T + s) / (1 + s) * 0.5


def _angle_over_thousand(steps, T, s):
    return (steps / 1000 + s) / (1 + s) * (math.pi / 2)


def _clamped_alpha_bar(T, s=0.008):
    alpha_bar = torch.clamp(_alpha_bar(T, s), min=1e-5, max=0.999)
    return _ratio(alpha_bar)


def _fixed_s(T, s=0.008):
    return cosine_beta_schedule(T)


def _clamped(betas, clamp=True):
    return torch.clamp(betas, min=1e-5, max=0.999) if clamp else betas


def _from_alpha_bar(build: Callable[[torch.Tensor], torch.Tensor], clamp=True, **alpha_bar_options):
    """A variant whose betas are ``build(ᾱ)`` for ᾱ of the given form."""

    def cosine_beta_schedule(T, s=0.008):
        return _clamped(build(_alpha_bar(T, s, **alpha_bar_options)), clamp)

    return cosine_beta_schedule


def _ratio(alpha_bar):
    return 1 - alpha_bar[1:] / alpha_bar[:-1]


def _unnormalised_with_prev_one(T, s=0.008):
    """ᾱ_t = f(t) without dividing by f(0), and ᾱ_{−1} taken as 1 for the first step."""
    steps = torch.arange(T + 1, dtype=torch.float32)
    f = torch.cos(_angle(steps, T, s)) ** 2
    previous = torch.cat([torch.ones(1), f[1:-1]])
    return _clamped(1 - f[1:] / previous)


VARIANTS = (
    ("cosine.no_square", _from_alpha_bar(_ratio, square=False)),
    ("cosine.not_normalised", _unnormalised_with_prev_one),
    ("cosine.missing_one_plus_s", _from_alpha_bar(_ratio, angle=_angle_without_one_plus_s)),
    ("cosine.s_precedence", _from_alpha_bar(_ratio, angle=_angle_precedence_slip)),
    ("cosine.no_clamp", _from_alpha_bar(_ratio, clamp=False)),
    ("cosine.inverted_ratio", _from_alpha_bar(lambda ab: 1 - ab[:-1] / ab[1:])),
    ("cosine.alphas_not_betas", _from_alpha_bar(lambda ab: ab[1:] / ab[:-1])),
    ("cosine.returns_alpha_bar", _from_alpha_bar(lambda ab: ab[1:], clamp=False)),
    ("cosine.returns_alpha_bar", _from_alpha_bar(lambda ab: ab, clamp=False)),
    ("cosine.returns_alpha_bar", _from_alpha_bar(lambda ab: ab[:-1], clamp=False)),
    ("cosine.too_few_points", _from_alpha_bar(_ratio, with_last_step=False)),
    ("cosine.float64", _from_alpha_bar(_ratio, dtype=torch.float64)),
    ("cosine.clamps_alpha_bar", _clamped_alpha_bar),
    ("cosine.one_minus_alpha_bar", _from_alpha_bar(lambda ab: 1 - ab[1:])),
    ("cosine.angle_scale", _from_alpha_bar(_ratio, angle=_angle_halved)),
    ("cosine.ignores_s", _fixed_s),
    ("cosine.fixed_T", _from_alpha_bar(_ratio, angle=_angle_over_thousand)),
)


class CosineBetaSchedule(FunctionDrill):
    entry = "cosine_beta_schedule"
    output_name = "The betas"
    variants_match_dtype = True
    # float32 cosines near π/2 lose a few digits in the last steps (~3e-5 at T=1000 against float64).
    atol, rtol = 1e-6, 1e-4
    cases = (
        Case("course", "T=150 (the course's value)", lambda device: (150,)),
        Case("paper", "T=1000", lambda device: (1000,)),
        Case("short", "T=10", lambda device: (10,)),
        Case("large_s", "T=50, s=0.1", lambda device: (50, 0.1)),
    )
    variants = VARIANTS

    def reference(self, *args):
        return cosine_beta_schedule(*args)


checks = CosineBetaSchedule()
