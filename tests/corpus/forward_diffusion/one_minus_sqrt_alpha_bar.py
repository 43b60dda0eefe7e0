import torch


def forward_diffusion(x_0, t, noise_schedule):
    noise = torch.randn_like(x_0)
    sqrt_ab = noise_schedule["sqrt_alpha_bar"][t].view(-1, 1, 1, 1)
    x_t = sqrt_ab * x_0 + (1 - sqrt_ab) * noise
    return x_t, noise
