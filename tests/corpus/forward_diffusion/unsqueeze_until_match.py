import torch


def forward_diffusion(x_0, t, noise_schedule):
    sqrt_ab = noise_schedule["sqrt_alpha_bar"][t]
    sqrt_omab = noise_schedule["sqrt_one_minus_alpha_bar"][t]
    while sqrt_ab.dim() < x_0.dim():
        sqrt_ab = sqrt_ab.unsqueeze(-1)
        sqrt_omab = sqrt_omab.unsqueeze(-1)
    noise = torch.randn_like(x_0)
    return sqrt_ab * x_0 + sqrt_omab * noise, noise
