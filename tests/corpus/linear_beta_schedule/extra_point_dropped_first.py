import torch


def linear_beta_schedule(T, beta_start=1e-4, beta_end=0.02):
    # one beta per step t = 1..T, so skip the value at t = 0
    return torch.linspace(beta_start, beta_end, T + 1)[1:]
