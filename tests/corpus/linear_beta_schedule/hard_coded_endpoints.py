import torch


def linear_beta_schedule(T, beta_start=1e-4, beta_end=0.02):
    return torch.linspace(1e-4, 0.02, T)
