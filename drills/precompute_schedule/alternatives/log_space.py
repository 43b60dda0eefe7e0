import torch


def precompute_schedule(betas):
    # ᾱ through a sum of logarithms; log1p keeps the tiny early betas accurate.
    log_alphas = torch.log1p(-betas)
    log_alpha_bar = torch.cumsum(log_alphas, dim=0)
    return {
        "betas": betas.clone(),
        "alphas": torch.exp(log_alphas),
        "alpha_bar": torch.exp(log_alpha_bar),
        "sqrt_alpha_bar": torch.exp(0.5 * log_alpha_bar),
        "sqrt_one_minus_alpha_bar": torch.sqrt(-torch.expm1(log_alpha_bar)),
        "sqrt_alpha": torch.exp(0.5 * log_alphas),
    }
