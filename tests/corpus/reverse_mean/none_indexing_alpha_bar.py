import torch


def reverse_mean(x_t, t, eps_pred, schedule):
    alpha = schedule["alphas"][t][:, None, None, None]
    alpha_bar = schedule["alpha_bar"][t][:, None, None, None]
    noise_part = (1 - alpha) / torch.sqrt(1 - alpha_bar) * eps_pred
    return (x_t - noise_part) / torch.sqrt(alpha)
