import torch


def reverse_mean(x_t, t, eps_pred, schedule):
    # x_{t-1} is computed with the coefficients of step t-1
    s = t - 1
    sqrt_alpha = schedule["sqrt_alpha"][s].view(-1, 1, 1, 1)
    beta = (1.0 - schedule["alphas"][s]).view(-1, 1, 1, 1)
    sqrt_omab = schedule["sqrt_one_minus_alpha_bar"][s].view(-1, 1, 1, 1)
    return (x_t - beta / sqrt_omab * eps_pred) / sqrt_alpha
