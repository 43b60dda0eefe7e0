import math

import torch


def cosine_beta_schedule(T, s=0.008):
    # per-step alphas are ratios of consecutive alpha_bar values
    grid = torch.arange(T + 1, dtype=torch.float32) / T
    alpha_bar = torch.cos((grid + s) / (1 + s) * (math.pi / 2)) ** 2
    alpha_bar = alpha_bar / alpha_bar[0].clone()
    alphas = alpha_bar[1:] / alpha_bar[:-1]
    return torch.clamp(1 - alphas, min=1e-5, max=0.999)
