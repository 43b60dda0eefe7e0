import torch


def forward_diffusion(x_0, t, noise_schedule):
    alpha_bar = noise_schedule["alpha_bar"].gather(0, t)[:, None, None, None]
    noise = torch.randn_like(x_0)
    x_t = alpha_bar.sqrt() * x_0 + (1 - alpha_bar).sqrt() * noise
    return x_t, noise
