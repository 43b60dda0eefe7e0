import math

import torch


# Given: the two schedules (their own drills are linear_beta_schedule and cosine_beta_schedule).
def linear_beta_schedule(T, beta_start=1e-4, beta_end=0.02):
    return torch.linspace(beta_start, beta_end, T)


def cosine_beta_schedule(T, s=0.008):
    steps = torch.arange(T + 1, dtype=torch.float32)
    f = torch.cos(((steps / T) + s) / (1 + s) * (math.pi / 2)) ** 2
    alpha_bar = f / f[0]
    return torch.clamp(1 - alpha_bar[1:] / alpha_bar[:-1], min=1e-5, max=0.999)


def first_step_below(alpha_bar, threshold):
    return next((t for t, a in enumerate(alpha_bar.tolist()) if a < threshold), -1)


def compare_schedules(T=1000, threshold=0.01):
    out = {}
    for name, make in (("linear", linear_beta_schedule), ("cosine", cosine_beta_schedule)):
        alphas = 1.0 - make(T)
        out[name] = first_step_below(alphas.cumprod(dim=0), threshold)
    return out
