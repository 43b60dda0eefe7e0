"""The course's forward process ``q``, its reverse step ``reverse_q`` and its training loss ``get_loss``."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from reference.course.schedule import ASSESSMENT_SCHEDULE, CourseSchedule
from reference.diffusion import extract


def q(x_0: torch.Tensor, t: torch.Tensor, *, schedule: CourseSchedule = ASSESSMENT_SCHEDULE) -> tuple[torch.Tensor, torch.Tensor]:
    """Noise clean images to step t in one jump.

    x_t = sqrt_a_bar_t · x_0 + sqrt_one_minus_a_bar_t · ε,   ε ~ N(0, I)

    x_0: (B, C, H, W); t: (B,), any number type (the course passes floats).
    Returns ``(x_t, ε)``, both (B, C, H, W), on the device of ``x_0``.
    """
    t = t.to(x_0.device).long()
    noise = torch.randn_like(x_0)
    sqrt_a_bar_t = extract(schedule.sqrt_a_bar, t, x_0.ndim)  # (B, 1, 1, 1)
    sqrt_one_minus_a_bar_t = extract(schedule.sqrt_one_minus_a_bar, t, x_0.ndim)
    x_t = sqrt_a_bar_t * x_0 + sqrt_one_minus_a_bar_t * noise
    return x_t, noise


@torch.no_grad()
def reverse_q(
    x_t: torch.Tensor, t: torch.Tensor, e_t: torch.Tensor, *, schedule: CourseSchedule = ASSESSMENT_SCHEDULE
) -> torch.Tensor:
    """One reverse step x_t -> x_{t−1} from the predicted noise e_t.

    u_t = sqrt_a_inv_t · (x_t − pred_noise_coeff_t · e_t)
    x_{t−1} = u_t                      if t = 0 (the last step adds no noise)
    x_{t−1} = u_t + √B_{t−1} · z       otherwise, z ~ N(0, I)

    The noise uses the PREVIOUS step's β, B[t − 1], as the course does (the lessons use √β_t).
    Every entry of t holds the same step, as in the course's samplers, so only t[0] decides
    whether this is the last step. x_t, e_t: (B, C, H, W); t: (B,) or (B, 1, 1, 1).
    """
    is_last_step = int(t.flatten()[0]) == 0
    t = t.to(x_t.device).long()
    pred_noise_coeff_t = extract(schedule.pred_noise_coeff, t, x_t.ndim)  # (B, 1, 1, 1)
    sqrt_a_inv_t = extract(schedule.sqrt_a_inv, t, x_t.ndim)
    u_t = sqrt_a_inv_t * (x_t - pred_noise_coeff_t * e_t)
    if is_last_step:
        return u_t
    B_t = extract(schedule.B, t - 1, x_t.ndim)
    return u_t + torch.sqrt(B_t) * torch.randn_like(x_t)


def get_loss(
    model: Callable[..., torch.Tensor],
    x_0: torch.Tensor,
    t: torch.Tensor,
    *model_args: torch.Tensor,
    schedule: CourseSchedule = ASSESSMENT_SCHEDULE,
) -> torch.Tensor:
    """The course's objective: MSE between the noise q added and the noise the model predicts.

    loss = mean ‖ε − model(x_t, t, *model_args)‖²,   (x_t, ε) = q(x_0, t)

    The model receives the raw step t (it divides by T itself); ``model_args`` are the context
    and its mask for the course's U-Net.
    """
    x_noisy, noise = q(x_0, t, schedule=schedule)
    noise_pred = model(x_noisy, t, *model_args)
    return F.mse_loss(noise, noise_pred)
