import torch


def linear_beta_schedule(T, beta_start=1e-4, beta_end=0.02):
    # fractions 0, 1/(T-1), ..., 1 stretched onto [beta_start, beta_end]
    frac = torch.linspace(0.0, 1.0, T)
    return beta_start + frac * (beta_end - beta_start)
