import torch


def reverse_mean(x_t, t, eps_pred, schedule):
    """The mean of one reverse step p(x_{t-1} | x_t), computed from the model's noise prediction.

    x_t: (B, C, H, W) noisy images.
    t: (B,) long tensor, one 0-indexed timestep per image (they may all differ).
    eps_pred: (B, C, H, W) the noise the model predicts is in x_t.
    schedule: dict of (T,) tensors: 'betas', 'alphas', 'alpha_bar', 'sqrt_alpha',
              'sqrt_alpha_bar' and 'sqrt_one_minus_alpha_bar'.

    Return the mean μ_θ(x_t, t), shape (B, C, H, W): no noise is added here.
    """
    raise NotImplementedError("write reverse_mean")
