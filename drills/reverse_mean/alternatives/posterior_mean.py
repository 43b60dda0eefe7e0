import torch


def reverse_mean(x_t, t, eps_pred, schedule):
    # The posterior form: estimate x_0 first, then mix it with x_t.
    alpha_bar = schedule["alpha_bar"]
    alpha_bar_prev = torch.cat([torch.ones_like(alpha_bar[:1]), alpha_bar[:-1]])
    a_bar = alpha_bar[t][:, None, None, None]
    a_bar_prev = alpha_bar_prev[t][:, None, None, None]
    beta = schedule["betas"][t][:, None, None, None]
    alpha = schedule["alphas"][t][:, None, None, None]
    x_0 = (x_t - torch.sqrt(1 - a_bar) * eps_pred) / torch.sqrt(a_bar)
    coef_x0 = torch.sqrt(a_bar_prev) * beta / (1 - a_bar)
    coef_xt = torch.sqrt(alpha) * (1 - a_bar_prev) / (1 - a_bar)
    return coef_x0 * x_0 + coef_xt * x_t
