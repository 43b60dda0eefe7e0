import torch


def linear_beta_schedule(T, beta_start=1e-4, beta_end=0.02):
    """The variance schedule of the original DDPM paper.

    Return the T noise variances β_0, …, β_{T−1} as a float32 tensor of shape (T,):
    the first is exactly beta_start, the last exactly beta_end, and the steps between
    them are all equal.
    """
    raise NotImplementedError("write linear_beta_schedule")
