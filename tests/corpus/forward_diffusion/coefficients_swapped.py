import torch


def forward_diffusion(x_0, t, noise_schedule):
    noise = torch.randn_like(x_0)
    sqrt_ab = noise_schedule["sqrt_alpha_bar"][t].view(-1, 1, 1, 1)
    sqrt_omab = noise_schedule["sqrt_one_minus_alpha_bar"][t].view(-1, 1, 1, 1)
    x_t = sqrt_omab * x_0 + sqrt_ab * noise
    return x_t, noise
