import torch


def reverse_mean(x_t, t, eps_pred, schedule):
    coeff_xt = (1.0 / schedule["sqrt_alpha"][t]).view(-1, 1, 1, 1)
    coeff_eps = (schedule["betas"][t] / schedule["sqrt_one_minus_alpha_bar"][t]).view(-1, 1, 1, 1)
    return coeff_xt * (x_t - coeff_eps * eps_pred)
