import torch
from einops import rearrange


def forward_diffusion(x_0, t, noise_schedule):
    noise = torch.normal(mean=torch.zeros_like(x_0), std=torch.ones_like(x_0))
    sqrt_ab = rearrange(noise_schedule["sqrt_alpha_bar"][t], "b -> b 1 1 1")
    sqrt_omab = rearrange(noise_schedule["sqrt_one_minus_alpha_bar"][t], "b -> b 1 1 1")
    return torch.addcmul(sqrt_ab * x_0, sqrt_omab, noise), noise
