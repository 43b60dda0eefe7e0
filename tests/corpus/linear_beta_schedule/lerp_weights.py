import torch


def linear_beta_schedule(T, beta_start=1e-4, beta_end=0.02):
    weight = torch.arange(T, dtype=torch.float64) / (T - 1)
    start = torch.full((T,), beta_start, dtype=torch.float64)
    end = torch.full((T,), beta_end, dtype=torch.float64)
    return torch.lerp(start, end, weight).to(torch.float32)
