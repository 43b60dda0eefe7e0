"""The lessons' catalogued reverse-step mistakes as laws: the means and noise scales a sampler may
use instead of the right ones. Shared by sample_ddpm and sample_cfg (and so debug_sampler)."""

from __future__ import annotations

import torch

from drills.common.ddpm_laws import REVERSE_MEAN, Schedule, mean_formula, sigma_sqrt_beta
from engine.drills.toolkit.samplers import MeanLaw, SigmaLaw, Variant


def _sigma_beta(t: int, s: Schedule) -> float:
    return 0.0 if t == 0 else float(s["betas"][t])


def _sigma_at_every_step(t: int, s: Schedule) -> float:
    return float(torch.sqrt(s["betas"][t]))


def _sigma_posterior(t: int, s: Schedule) -> float:
    if t == 0:
        return 0.0
    return float(torch.sqrt(s["betas"][t] * (1 - s["alpha_bar"][t - 1]) / (1 - s["alpha_bar"][t])))


def _no_sigma(t: int, s: Schedule) -> float:
    return 0.0


MEANS: list[Variant[MeanLaw]] = [
    (None, REVERSE_MEAN),
    ("sample.plus_sign_in_mean", mean_formula(sign=1.0)),
    ("sample.alpha_bar_in_mean_coefficient", mean_formula(scale=lambda s: 1.0 / s["sqrt_alpha_bar"])),
    ("sample.alpha_bar_in_mean_coefficient", mean_formula(eps_scale=lambda s: (1.0 - s["alpha_bar"]) / s["sqrt_one_minus_alpha_bar"])),
    ("sample.missing_sqrt_on_alpha", mean_formula(scale=lambda s: 1.0 / s["alphas"])),
]
SIGMAS: list[Variant[SigmaLaw]] = [
    (None, sigma_sqrt_beta),
    ("sample.sigma_is_beta", _sigma_beta),
    ("sample.noise_at_t0", _sigma_at_every_step),
    ("sample.no_noise", _no_sigma),
    ("sample.posterior_variance", _sigma_posterior),
]
