import torch


def precompute_schedule(betas):
    log_alpha = torch.log(1.0 - betas)
    log_alpha_bar = torch.cumsum(log_alpha, dim=0)
    alpha_bar = torch.exp(log_alpha_bar)
    return {
        "betas": betas,
        "alphas": torch.exp(log_alpha),
        "alpha_bar": alpha_bar,
        "sqrt_alpha_bar": torch.exp(log_alpha_bar / 2),
        "sqrt_one_minus_alpha_bar": torch.sqrt(1.0 - alpha_bar),
        "sqrt_alpha": torch.exp(log_alpha / 2),
    }
