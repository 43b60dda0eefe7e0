import torch


def forward_diffusion(x_0, t, noise_schedule):
    noise = torch.randn_like(x_0)
    # schedule index t-1 holds the value for step t
    sqrt_ab = noise_schedule["sqrt_alpha_bar"][t - 1].view(-1, 1, 1, 1)
    sqrt_omab = noise_schedule["sqrt_one_minus_alpha_bar"][t - 1].view(-1, 1, 1, 1)
    x_t = sqrt_ab * x_0 + sqrt_omab * noise
    return x_t, noise
