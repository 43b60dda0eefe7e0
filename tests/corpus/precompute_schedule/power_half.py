import torch


def precompute_schedule(betas):
    alphas = 1 - betas
    alpha_bar = alphas.cumprod(0)
    return dict(
        betas=betas,
        alphas=alphas,
        alpha_bar=alpha_bar,
        sqrt_alpha_bar=alpha_bar**0.5,
        sqrt_one_minus_alpha_bar=(1 - alpha_bar) ** 0.5,
        sqrt_alpha=alphas**0.5,
    )
