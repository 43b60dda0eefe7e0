import math

import torch


def cosine_beta_schedule(T, s=0.008):
    steps = torch.arange(T + 1, dtype=torch.float32)
    f = torch.cos(((steps / T) + s) / (1 + s) * (math.pi / 2)) ** 2
    alpha_bar = f / f[0]
    betas = 1 - alpha_bar[:-1] / alpha_bar[1:]
    return torch.clamp(betas, min=1e-5, max=0.999)
