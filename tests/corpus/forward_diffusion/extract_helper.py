import torch


def _extract(values, t, like):
    """Pick values[t] for every sample and add singleton dims so it broadcasts against `like`."""
    out = values.gather(0, t)
    return out.reshape(t.shape[0], *([1] * (like.dim() - 1)))


def forward_diffusion(x_0, t, noise_schedule):
    noise = torch.randn_like(x_0)
    mean = _extract(noise_schedule["sqrt_alpha_bar"], t, x_0) * x_0
    std = _extract(noise_schedule["sqrt_one_minus_alpha_bar"], t, x_0)
    return mean + std * noise, noise
