import torch


def linear_beta_schedule(T, beta_start=1e-4, beta_end=0.02):
    fractions = [i / (T - 1) for i in range(T)]
    betas = [beta_start + (beta_end - beta_start) * f for f in fractions]
    return torch.tensor(betas, dtype=torch.float32)
