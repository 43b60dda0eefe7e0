import torch


def forward_diffusion(x_0, t, noise_schedule):
    noise = torch.randn_like(x_0)
    signal_scale = noise_schedule["sqrt_alpha_bar"][t].view(-1, 1, 1, 1)
    noise_scale = noise_schedule["sqrt_one_minus_alpha_bar"][t].view(-1, 1, 1, 1)
    x_t = signal_scale * x_0 + noise_scale * noise
    return x_t, noise
