import torch


def precompute_schedule(betas):
    alphas = torch.ones_like(betas) - betas
    alpha_bar = torch.cumprod(alphas, dim=-1)
    roots = {
        "sqrt_alpha_bar": alpha_bar,
        "sqrt_one_minus_alpha_bar": 1 - alpha_bar,
        "sqrt_alpha": alphas,
    }
    schedule = {"betas": betas, "alphas": alphas, "alpha_bar": alpha_bar}
    schedule.update({name: torch.sqrt(value) for name, value in roots.items()})
    return schedule
