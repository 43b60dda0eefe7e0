"""Variance schedules for DDPM and the coefficients derived from them.

Timesteps are 0-indexed throughout: index ``t`` in ``range(T)`` is the lesson's step t+1.
"""

from __future__ import annotations

import math

import torch


def linear_beta_schedule(T: int, beta_start: float = 1e-4, beta_end: float = 0.02) -> torch.Tensor:
    """Linear schedule of Ho et al. (2020).

    β_t rises evenly from ``beta_start`` to ``beta_end`` over ``T`` steps.
    Returns a float32 tensor of shape (T,).
    """
    return torch.linspace(beta_start, beta_end, T, dtype=torch.float32)


def cosine_beta_schedule(T: int, s: float = 0.008) -> torch.Tensor:
    """Cosine schedule of Nichol & Dhariwal (2021).

    ᾱ is designed directly, f(t) = cos²(((t/T) + s) / (1 + s) · π/2) and ᾱ_t = f(t) / f(0),
    and the betas follow from β_t = 1 − ᾱ_t / ᾱ_{t−1}, clamped to [1e-5, 0.999]
    so that no step is degenerate. Returns a float32 tensor of shape (T,).
    """
    steps = torch.arange(T + 1, dtype=torch.float32)  # (T+1,)
    f = torch.cos(((steps / T) + s) / (1 + s) * (math.pi / 2)) ** 2
    alpha_bar = f / f[0]
    betas = 1 - alpha_bar[1:] / alpha_bar[:-1]  # (T,)
    return torch.clamp(betas, min=1e-5, max=0.999)


def precompute_schedule(betas: torch.Tensor) -> dict[str, torch.Tensor]:
    """Every per-step coefficient that training and sampling need, each of shape (T,).

    α_t = 1 − β_t,  ᾱ_t = ∏_{s≤t} α_s,  plus √ᾱ_t, √(1 − ᾱ_t) and √α_t.
    """
    alphas = 1.0 - betas
    alpha_bar = torch.cumprod(alphas, dim=0)
    return {
        "betas": betas,
        "alphas": alphas,
        "alpha_bar": alpha_bar,
        "sqrt_alpha_bar": torch.sqrt(alpha_bar),
        "sqrt_one_minus_alpha_bar": torch.sqrt(1.0 - alpha_bar),
        "sqrt_alpha": torch.sqrt(alphas),
    }


def first_step_below(alpha_bar: torch.Tensor, threshold: float) -> int:
    """The first 0-indexed step at which ᾱ_t falls below ``threshold`` (−1 if it never does)."""
    below = (alpha_bar < threshold).nonzero()
    return int(below[0, 0]) if len(below) else -1
