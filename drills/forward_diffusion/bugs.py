"""Learner-shaped implementations of every catalogued bug, used to validate the catalog."""

import torch

from drills.forward_diffusion.checks import VARIANTS


def _from_variant(key):
    def forward_diffusion(x_0, t, noise_schedule):
        noise = torch.randn_like(x_0)
        return VARIANTS[key](x_0, t, noise_schedule, noise), noise

    return forward_diffusion


BUGS = {key: _from_variant(key) for key in VARIANTS}


def _returned_other_noise(x_0, t, noise_schedule):
    used = torch.randn_like(x_0)
    x_t = noise_schedule["sqrt_alpha_bar"][t].view(-1, 1, 1, 1) * x_0
    return x_t + noise_schedule["sqrt_one_minus_alpha_bar"][t].view(-1, 1, 1, 1) * used, torch.randn_like(x_0)


def _uniform_noise(x_0, t, noise_schedule):
    noise = torch.rand_like(x_0)
    x_t = noise_schedule["sqrt_alpha_bar"][t].view(-1, 1, 1, 1) * x_0
    return x_t + noise_schedule["sqrt_one_minus_alpha_bar"][t].view(-1, 1, 1, 1) * noise, noise


BUGS["forward.returned_other_noise"] = _returned_other_noise
BUGS["forward.uniform_noise"] = _uniform_noise
