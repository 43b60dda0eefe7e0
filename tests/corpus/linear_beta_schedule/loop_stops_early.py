import torch


def linear_beta_schedule(T, beta_start=1e-4, beta_end=0.02):
    step = (beta_end - beta_start) / (T - 1)
    betas = [beta_start + i * step for i in range(T - 1)]
    return torch.tensor(betas, dtype=torch.float32)
