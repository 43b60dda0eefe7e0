import torch


def precompute_schedule(betas):
    alphas = 1 - betas
    products = []
    running = torch.ones((), dtype=betas.dtype, device=betas.device)
    for alpha in alphas:
        running = running * alpha
        products.append(running)
    alpha_bar = torch.stack(products)
    schedule = {"betas": betas, "alphas": alphas, "alpha_bar": alpha_bar}
    schedule["sqrt_alpha_bar"] = alpha_bar**0.5
    schedule["sqrt_one_minus_alpha_bar"] = (1 - alpha_bar) ** 0.5
    schedule["sqrt_alpha"] = alphas**0.5
    return schedule
