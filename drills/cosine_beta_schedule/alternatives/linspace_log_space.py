import math

import torch


def cosine_beta_schedule(T, s=0.008):
    # ᾱ as a ratio of f-values, then the betas from differences of log ᾱ.
    x = torch.linspace(0, 1, T + 1, dtype=torch.float64)
    log_f = 2 * torch.log(torch.cos((x + s) / (1 + s) * math.pi / 2).abs())
    log_alpha_bar = log_f - log_f[0]
    betas = -torch.expm1(log_alpha_bar[1:] - log_alpha_bar[:-1])
    return betas.clamp(1e-5, 0.999).float()
