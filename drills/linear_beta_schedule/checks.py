"""Grading linear_beta_schedule: exact layout, then the values for the course's T, the paper's T
and custom endpoints (which catch endpoints that are typed in instead of taken from the arguments)."""

from __future__ import annotations

import math

import torch

from engine.drills.toolkit.functions import Case, FunctionDrill
from reference import linear_beta_schedule


def _case(name: str, label: str, *args: float) -> Case:
    return Case(name, label, lambda device: args)


def _extra_point(T, beta_start=1e-4, beta_end=0.02):
    return torch.linspace(beta_start, beta_end, T + 1)


def _step_over_T(T, beta_start=1e-4, beta_end=0.02):
    return torch.linspace(beta_start, beta_end, T + 1)[:-1]


def _starts_one_step_late(T, beta_start=1e-4, beta_end=0.02):
    return torch.linspace(beta_start, beta_end, T + 1)[1:]


def _swapped(T, beta_start=1e-4, beta_end=0.02):
    return torch.linspace(beta_end, beta_start, T)


def _typed_in_endpoints(T, beta_start=1e-4, beta_end=0.02):
    return torch.linspace(1e-4, 0.02, T)


def _fixed_length(T, beta_start=1e-4, beta_end=0.02):
    return torch.linspace(beta_start, beta_end, 1000)


def _scaled_linear(T, beta_start=1e-4, beta_end=0.02):
    return torch.linspace(beta_start**0.5, beta_end**0.5, T) ** 2


def _alphas(T, beta_start=1e-4, beta_end=0.02):
    return 1 - torch.linspace(beta_start, beta_end, T)


def _geometric(T, beta_start=1e-4, beta_end=0.02):
    return torch.logspace(math.log10(beta_start), math.log10(beta_end), T)


def _rescaled(T, beta_start=1e-4, beta_end=0.02):
    return torch.linspace(beta_start * 1000 / T, beta_end * 1000 / T, T)


def _float64(T, beta_start=1e-4, beta_end=0.02):
    return torch.linspace(beta_start, beta_end, T, dtype=torch.float64)


class LinearBetaSchedule(FunctionDrill):
    entry = "linear_beta_schedule"
    output_name = "The betas"
    variants_match_dtype = True
    # Consecutive betas differ by ~2e-5 at T=1000, so the tolerance is far tighter than that step.
    atol, rtol = 1e-7, 1e-5
    cases = (
        _case("course", "T=150 (the course's value)", 150),
        _case("paper", "T=1000 (the DDPM paper's value)", 1000),
        _case("custom", "T=12, beta_start=1e-3, beta_end=0.05", 12, 1e-3, 0.05),
    )
    variants = (
        ("linear.extra_point", _extra_point),
        ("linear.step_over_T", _step_over_T),
        ("linear.step_over_T", _starts_one_step_late),
        ("linear.swapped_endpoints", _swapped),
        ("linear.typed_in_endpoints", _typed_in_endpoints),
        ("linear.fixed_length", _fixed_length),
        ("linear.float64", _float64),
        ("linear.scaled_linear", _scaled_linear),
        ("linear.returns_alphas", _alphas),
        ("linear.geometric", _geometric),
        ("linear.rescaled_for_T", _rescaled),
    )

    def reference(self, *args):
        return linear_beta_schedule(*args)


checks = LinearBetaSchedule()
