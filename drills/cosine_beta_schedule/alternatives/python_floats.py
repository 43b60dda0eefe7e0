import math

import torch


def cosine_beta_schedule(T, s=0.008):
    def f(t):
        return math.cos((t / T + s) / (1 + s) * math.pi / 2) ** 2

    betas = []
    for t in range(T):
        beta = 1 - f(t + 1) / f(t)
        betas.append(min(max(beta, 1e-5), 0.999))
    return torch.tensor(betas, dtype=torch.float32)
