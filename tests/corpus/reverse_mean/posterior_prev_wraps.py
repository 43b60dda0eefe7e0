import torch


def reverse_mean(x_t, t, eps_pred, schedule):
    # mean of q(x_{t-1} | x_t, x_0) with x_0 estimated from the predicted noise
    a_bar = schedule["alpha_bar"][t].reshape(-1, 1, 1, 1)
    a_bar_prev = schedule["alpha_bar"][t - 1].reshape(-1, 1, 1, 1)
    alpha = schedule["alphas"][t].reshape(-1, 1, 1, 1)
    beta = schedule["betas"][t].reshape(-1, 1, 1, 1)
    x0_hat = (x_t - (1 - a_bar).sqrt() * eps_pred) / a_bar.sqrt()
    return (a_bar_prev.sqrt() * beta * x0_hat + alpha.sqrt() * (1 - a_bar_prev) * x_t) / (1 - a_bar)
