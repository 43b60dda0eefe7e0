import torch


def reverse_mean(x_t, t, eps_pred, schedule):
    sqrt_alpha = schedule["sqrt_alpha"][t].view(-1, 1, 1, 1)
    beta = schedule["betas"][t].view(-1, 1, 1, 1)
    one_minus_ab = (1.0 - schedule["alpha_bar"][t]).view(-1, 1, 1, 1)
    return (x_t - beta / one_minus_ab * eps_pred) / sqrt_alpha
