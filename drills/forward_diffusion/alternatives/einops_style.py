import torch
from einops import rearrange


def forward_diffusion(x_0, t, noise_schedule):
    eps = torch.randn(x_0.shape, device=x_0.device, dtype=x_0.dtype)
    signal = rearrange(noise_schedule["sqrt_alpha_bar"][t], "b -> b 1 1 1")
    spread = rearrange(noise_schedule["sqrt_one_minus_alpha_bar"][t], "b -> b 1 1 1")
    return signal * x_0 + spread * eps, eps
