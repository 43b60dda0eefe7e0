import torch


def linear_beta_schedule(T, beta_start=1e-4, beta_end=0.02):
    betas = torch.linspace(beta_start, beta_end, steps=T, dtype=torch.float32)
    return betas
