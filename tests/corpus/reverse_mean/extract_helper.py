import torch


def _at(values, t, ndim):
    """One value per sample, shaped (B, 1, ..., 1) to broadcast over the images."""
    return values.index_select(0, t).reshape(-1, *([1] * (ndim - 1)))


def reverse_mean(x_t, t, eps_pred, schedule):
    sqrt_alpha = _at(schedule["sqrt_alpha"], t, x_t.dim())
    sqrt_omab = _at(schedule["sqrt_one_minus_alpha_bar"], t, x_t.dim())
    beta = _at(1.0 - schedule["alphas"], t, x_t.dim())
    return x_t / sqrt_alpha - beta / (sqrt_alpha * sqrt_omab) * eps_pred
