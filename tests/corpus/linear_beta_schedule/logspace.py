import math

import torch


def linear_beta_schedule(T, beta_start=1e-4, beta_end=0.02):
    return torch.logspace(math.log10(beta_start), math.log10(beta_end), T)
