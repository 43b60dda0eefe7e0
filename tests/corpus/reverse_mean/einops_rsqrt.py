import torch
from einops import rearrange


def reverse_mean(x_t, t, eps_pred, schedule):
    beta = rearrange(schedule["betas"][t], "b -> b 1 1 1")
    inv_sqrt_alpha = rearrange(torch.rsqrt(schedule["alphas"][t]), "b -> b 1 1 1")
    inv_noise_std = rearrange(torch.rsqrt(1 - schedule["alpha_bar"][t]), "b -> b 1 1 1")
    return inv_sqrt_alpha * (x_t - beta * inv_noise_std * eps_pred)
