import torch


def linear_beta_schedule(T, beta_start=1e-4, beta_end=0.02):
    return torch.linspace(beta_start**0.5, beta_end**0.5, T) ** 2
