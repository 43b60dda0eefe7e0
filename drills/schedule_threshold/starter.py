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
    """The first step at which the signal fraction ᾱ_t drops below a threshold.

    alpha_bar: (T,) tensor of ᾱ_0, …, ᾱ_{T−1}; threshold: a float.
    Return, as a Python int, the smallest 0-indexed t with alpha_bar[t] < threshold
    (strictly below), or -1 if ᾱ never drops below the threshold.
    """
    raise NotImplementedError("write first_step_below")


def compare_schedules(T=1000, threshold=0.01):
    """When does each schedule destroy (almost) all of the signal?

    For the linear and the cosine schedule with T steps, compute ᾱ_t = α_0 · … · α_t
    (α_t = 1 − β_t) and return {'linear': step, 'cosine': step}, each step given by
    first_step_below(ᾱ, threshold).

    Print the two answers for T=1000 and compare them with the course's claim
    (ᾱ < 0.01 at about t = 650 for linear and t = 940 for cosine).
    """
    raise NotImplementedError("write compare_schedules")
