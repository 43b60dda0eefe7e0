import numpy as np
import torch


def linear_beta_schedule(T, beta_start=1e-4, beta_end=0.02):
    betas = np.linspace(beta_start, beta_end, T, dtype=np.float64)
    return torch.from_numpy(betas).float()
