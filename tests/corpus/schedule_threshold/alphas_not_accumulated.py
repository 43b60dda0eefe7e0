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
    below = (alpha_bar < threshold).nonzero()
    return int(below[0, 0]) if len(below) > 0 else -1


def compare_schedules(T=1000, threshold=0.01):
    steps = {}
    for name, betas in [("linear", linear_beta_schedule(T)), ("cosine", cosine_beta_schedule(T))]:
        alpha_bar = 1 - betas
        steps[name] = first_step_below(alpha_bar, threshold)
    return steps
