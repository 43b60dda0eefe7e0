import torch


def forward_diffusion(x_0, t, noise_schedule):
    eps = torch.randn(x_0.shape, dtype=x_0.dtype, device=x_0.device)
    a = noise_schedule["sqrt_alpha_bar"][t][:, None, None, None]
    b = noise_schedule["sqrt_one_minus_alpha_bar"][t][:, None, None, None]
    return a * x_0 + b * eps, eps
