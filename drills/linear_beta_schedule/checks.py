"""Grading linear_beta_schedule: exact layout, then the values for the course's T, the paper's T
and custom endpoints (which catch endpoints that are typed in instead of taken from the arguments)."""

from __future__ import annotations

import torch

from drills.linear_beta_schedule.schedule_cases import grade_cases, probe_cases
from engine.drills.capture import entry
from reference import linear_beta_schedule

# Consecutive betas differ by ~2e-5 at T=1000, so the tolerance is far tighter than that step.
ATOL, RTOL = 1e-7, 1e-5

CASES = {
    "course": ("T=150 (the course's value)", (150,)),
    "paper": ("T=1000 (the DDPM paper's value)", (1000,)),
    "custom": ("T=12, beta_start=1e-3, beta_end=0.05", (12, 1e-3, 0.05)),
}


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


def _float64(T, beta_start=1e-4, beta_end=0.02):
    return torch.linspace(beta_start, beta_end, T, dtype=torch.float64)


# (key, variant) pairs; a key may have several forms. bugs.py takes the first form of each key.
VARIANTS = [
    ("linear.extra_point", _extra_point),
    ("linear.step_over_T", _step_over_T),
    ("linear.step_over_T", _starts_one_step_late),
    ("linear.swapped_endpoints", _swapped),
    ("linear.typed_in_endpoints", _typed_in_endpoints),
    ("linear.fixed_length", _fixed_length),
    ("linear.float64", _float64),
]


def probe(module, device, attempt):
    return probe_cases(entry(module, "linear_beta_schedule"), CASES, attempt)


def grade(calls, device, grading):
    grade_cases(calls, grading, CASES, linear_beta_schedule, VARIANTS, ATOL, RTOL)
