import torch
from einops import rearrange


def reverse_mean(x_t, t, eps_pred, schedule):
    def per_sample(name):
        return rearrange(torch.gather(schedule[name], 0, t), "b -> b 1 1 1")

    coeff_eps = (1 - per_sample("alphas")) / per_sample("sqrt_one_minus_alpha_bar")
    return torch.rsqrt(per_sample("alphas")) * (x_t - coeff_eps * eps_pred)
