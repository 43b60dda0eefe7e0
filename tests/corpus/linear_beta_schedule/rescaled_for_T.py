import torch


def linear_beta_schedule(T, beta_start=1e-4, beta_end=0.02):
    # keep the schedule comparable to the 1000-step one whatever T is
    scale = 1000 / T
    return torch.linspace(scale * beta_start, scale * beta_end, T)
