import torch


def precompute_schedule(betas):
    alphas = 1.0 - betas
    alpha_bar = torch.cumprod(betas, dim=0)
    return {
        "betas": betas,
        "alphas": alphas,
        "alpha_bar": alpha_bar,
        "sqrt_alpha_bar": torch.sqrt(alpha_bar),
        "sqrt_one_minus_alpha_bar": torch.sqrt(1.0 - alpha_bar),
        "sqrt_alpha": torch.sqrt(alphas),
    }
