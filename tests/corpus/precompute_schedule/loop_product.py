import torch


def precompute_schedule(betas):
    alphas = 1.0 - betas
    alpha_bar = torch.empty_like(alphas)
    product = 1.0
    for i in range(len(alphas)):
        product = product * alphas[i]
        alpha_bar[i] = product
    out = {"betas": betas, "alphas": alphas, "alpha_bar": alpha_bar}
    out["sqrt_alpha_bar"] = torch.sqrt(alpha_bar)
    out["sqrt_one_minus_alpha_bar"] = torch.sqrt(1.0 - alpha_bar)
    out["sqrt_alpha"] = torch.sqrt(alphas)
    return out
