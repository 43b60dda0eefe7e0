"""Classifier-free guidance (Ho & Salimans, 2022): one model, trained with and without its condition."""

from __future__ import annotations

from collections.abc import Callable

import torch

from reference.diffusion import Schedule, reverse_step

ConditionalNoiseModel = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]


def drop_condition(labels: torch.Tensor, p_uncond: float, num_classes: int) -> torch.Tensor:
    """Replace each label by the null class ``num_classes`` independently with probability p_uncond.

    labels: (B,) long  ->  (B,) long; the input is left unchanged.
    """
    drop = torch.rand(labels.shape, device=labels.device) < p_uncond
    return torch.where(drop, torch.full_like(labels, num_classes), labels)


def guided_noise(eps_cond: torch.Tensor, eps_uncond: torch.Tensor, guidance_scale: float) -> torch.Tensor:
    """ε̂ = ε̂_∅ + w · (ε̂_c − ε̂_∅).  w = 0 is unconditional, w = 1 plain conditional, w > 1 guided."""
    return eps_uncond + guidance_scale * (eps_cond - eps_uncond)


@torch.no_grad()
def sample_cfg(
    model: ConditionalNoiseModel,
    shape: tuple[int, int, int, int],
    schedule: Schedule,
    class_labels: torch.Tensor,
    guidance_scale: float,
    num_classes: int,
    device: torch.device | str,
) -> torch.Tensor:
    """DDPM sampling where every step uses the guided noise prediction.

    The conditional and unconditional predictions come from one batched call of 2B samples.
    class_labels: (B,) long; the null class is ``num_classes``. Returns ``shape``.
    """
    schedule = {name: values.to(device) for name, values in schedule.items()}
    batch = shape[0]
    class_labels = class_labels.to(device)
    labels = torch.cat([class_labels, torch.full_like(class_labels, num_classes)])  # (2B,)
    x = torch.randn(shape, device=device)
    for t in reversed(range(len(schedule["betas"]))):
        t_batch = torch.full((2 * batch,), t, device=device, dtype=torch.long)
        eps_cond, eps_uncond = model(torch.cat([x, x]), t_batch, labels).chunk(2)  # (B, C, H, W) each
        x = reverse_step(x, t, guided_noise(eps_cond, eps_uncond, guidance_scale), schedule)
    return x
