import torch


def forward_diffusion(x_0, t, noise_schedule):
    noise = torch.randn_like(x_0)
    alpha_bar = noise_schedule["alpha_bar"][t].view(-1, 1, 1, 1)
    x_t = alpha_bar * x_0 + (1 - alpha_bar) * noise
    return x_t, noise
