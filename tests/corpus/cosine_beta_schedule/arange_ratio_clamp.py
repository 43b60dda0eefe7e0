import math

import torch


def cosine_beta_schedule(T, s=0.008):
    t = torch.arange(0, T + 1, dtype=torch.float32)
    f = torch.cos((t / T + s) / (1 + s) * math.pi / 2).pow(2)
    alpha_bar = f / f[0]
    betas = 1.0 - alpha_bar[1:] / alpha_bar[:-1]
    return betas.clamp(min=1e-5, max=0.999)
