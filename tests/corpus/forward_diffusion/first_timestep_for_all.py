import torch


def forward_diffusion(x_0, t, noise_schedule):
    noise = torch.randn_like(x_0)
    step = int(t[0])
    x_t = noise_schedule["sqrt_alpha_bar"][step] * x_0 + noise_schedule["sqrt_one_minus_alpha_bar"][step] * noise
    return x_t, noise
