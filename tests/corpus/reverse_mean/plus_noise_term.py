import torch


def reverse_mean(x_t, t, eps_pred, schedule):
    sqrt_alpha = schedule["sqrt_alpha"][t].view(-1, 1, 1, 1)
    beta = (1.0 - schedule["alphas"][t]).view(-1, 1, 1, 1)
    sqrt_omab = schedule["sqrt_one_minus_alpha_bar"][t].view(-1, 1, 1, 1)
    return (x_t + beta / sqrt_omab * eps_pred) / sqrt_alpha
