import torch


def linear_beta_schedule(T, beta_start=1e-4, beta_end=0.02):
    step = (beta_end - beta_start) / T
    return beta_start + step * torch.arange(T, dtype=torch.float32)
