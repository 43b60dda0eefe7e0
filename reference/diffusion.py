"""The forward (noising) process and the DDPM reverse (sampling) process."""

from __future__ import annotations

from collections.abc import Callable

import torch

Schedule = dict[str, torch.Tensor]
NoiseModel = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def extract(coefficients: torch.Tensor, t: torch.Tensor, ndim: int) -> torch.Tensor:
    """Gather one coefficient per sample and shape it to broadcast over an image batch.

    coefficients: (T,), t: (B,) long  ->  (B, 1, ..., 1) with ``ndim`` dimensions in all.
    """
    values = coefficients.to(t.device)[t]  # (B,)
    return values.reshape(-1, *([1] * (ndim - 1)))


def forward_diffusion(
    x_0: torch.Tensor, t: torch.Tensor, noise_schedule: Schedule
) -> tuple[torch.Tensor, torch.Tensor]:
    """Sample x_t ~ q(x_t | x_0) in one jump with the reparameterisation trick.

    x_t = √ᾱ_t · x_0 + √(1 − ᾱ_t) · ε,   ε ~ N(0, I)

    x_0: (B, C, H, W), t: (B,) long. Returns ``(x_t, ε)``, both (B, C, H, W).
    """
    noise = torch.randn_like(x_0)
    return q_sample(x_0, t, noise_schedule, noise), noise


def q_sample(x_0: torch.Tensor, t: torch.Tensor, noise_schedule: Schedule, noise: torch.Tensor) -> torch.Tensor:
    """The closed form of the forward process for a given ε (the deterministic half of forward_diffusion)."""
    sqrt_ab = extract(noise_schedule["sqrt_alpha_bar"], t, x_0.ndim)  # (B, 1, 1, 1)
    sqrt_omab = extract(noise_schedule["sqrt_one_minus_alpha_bar"], t, x_0.ndim)
    return sqrt_ab * x_0 + sqrt_omab * noise


def reverse_mean(x_t: torch.Tensor, t: torch.Tensor, eps_pred: torch.Tensor, schedule: Schedule) -> torch.Tensor:
    """Mean of p_θ(x_{t−1} | x_t) from a noise prediction.

    μ_θ = (1 / √α_t) · (x_t − (1 − α_t) / √(1 − ᾱ_t) · ε̂)

    x_t, eps_pred: (B, C, H, W), t: (B,) long  ->  (B, C, H, W).
    """
    coeff_x = 1.0 / extract(schedule["sqrt_alpha"], t, x_t.ndim)
    coeff_eps = extract(1.0 - schedule["alphas"], t, x_t.ndim) / extract(
        schedule["sqrt_one_minus_alpha_bar"], t, x_t.ndim
    )
    return coeff_x * (x_t - coeff_eps * eps_pred)


def reverse_sigma(t: int, schedule: Schedule) -> torch.Tensor:
    """Standard deviation of the reverse step with the simplified variance: σ_t = √β_t (0 at t = 0)."""
    if t == 0:
        return torch.zeros((), device=schedule["betas"].device)
    return torch.sqrt(schedule["betas"][t])


def reverse_step(
    x_t: torch.Tensor, t: int, eps_pred: torch.Tensor, schedule: Schedule, noise: torch.Tensor | None = None
) -> torch.Tensor:
    """One ancestral step x_t -> x_{t−1} = μ_θ + σ_t · z, with z ~ N(0, I) and no noise at t = 0."""
    t_batch = torch.full((x_t.shape[0],), t, device=x_t.device, dtype=torch.long)
    mean = reverse_mean(x_t, t_batch, eps_pred, schedule)
    if t == 0:
        return mean
    z = torch.randn_like(x_t) if noise is None else noise
    return mean + reverse_sigma(t, schedule).to(x_t.device) * z


@torch.no_grad()
def sample_ddpm(
    model: NoiseModel,
    n_samples: int,
    img_channels: int,
    img_size: int,
    schedule: Schedule,
    device: torch.device | str,
) -> torch.Tensor:
    """Generate images by running the reverse chain from x_T ~ N(0, I) down to x_0.

    For t = T−1, …, 0:  ε̂ = model(x_t, t);  x_{t−1} = μ_θ(x_t, ε̂) + σ_t · z.
    Returns (n_samples, img_channels, img_size, img_size).
    """
    schedule = {name: values.to(device) for name, values in schedule.items()}
    x = torch.randn(n_samples, img_channels, img_size, img_size, device=device)
    for t in reversed(range(len(schedule["betas"]))):
        t_batch = torch.full((n_samples,), t, device=device, dtype=torch.long)
        x = reverse_step(x, t, model(x, t_batch), schedule)
    return x
