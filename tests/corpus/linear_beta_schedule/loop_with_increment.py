import torch


def linear_beta_schedule(T, beta_start=1e-4, beta_end=0.02):
    increment = (beta_end - beta_start) / (T - 1)
    values = []
    for i in range(T):
        values.append(beta_start + i * increment)
    return torch.tensor(values, dtype=torch.float32)
