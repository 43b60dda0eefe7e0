import math

import torch


def _alpha_bar(t, T, s):
    f_t = math.cos((t / T + s) / (1 + s) * math.pi / 2) ** 2
    f_0 = math.cos(s / (1 + s) * math.pi / 2) ** 2
    return f_t / f_0


def cosine_beta_schedule(T, s=0.008):
    betas = torch.empty(T, dtype=torch.float32)
    for t in range(T):
        ratio = _alpha_bar(t + 1, T, s) / _alpha_bar(t, T, s)
        betas[t] = 1 - ratio
    return torch.clamp(betas, 1e-5, 0.999)
