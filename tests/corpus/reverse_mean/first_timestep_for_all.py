import torch


def reverse_mean(x_t, t, eps_pred, schedule):
    step = t[0]
    sqrt_alpha = schedule["sqrt_alpha"][step]
    beta = 1.0 - schedule["alphas"][step]
    sqrt_omab = schedule["sqrt_one_minus_alpha_bar"][step]
    return (x_t - beta / sqrt_omab * eps_pred) / sqrt_alpha
