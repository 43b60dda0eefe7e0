import torch


def forward_diffusion(x_0, t, noise_schedule):
    sqrt_ab = noise_schedule["sqrt_alpha_bar"][t].view(-1, 1, 1, 1)
    sqrt_omab = noise_schedule["sqrt_one_minus_alpha_bar"][t].view(-1, 1, 1, 1)
    x_t = sqrt_ab * x_0 + sqrt_omab * torch.randn_like(x_0)
    return x_t, torch.randn_like(x_0)
