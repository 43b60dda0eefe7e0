import numpy as np
import torch


def cosine_beta_schedule(T, s=0.008):
    steps = np.arange(T + 1) / T
    f = np.cos((steps + s) / (1 + s) * np.pi / 2) ** 2
    alpha_bar = f / f[0]
    betas = np.clip(1 - alpha_bar[1:] / alpha_bar[:-1], 1e-5, 0.999)
    return torch.tensor(betas, dtype=torch.float32)
