"""The course's classifier-free guidance: the weighted noise and the sampler ``sample_w``."""

from __future__ import annotations

from collections.abc import Callable

import torch

from reference.course.config import IMG_CH, IMG_SIZE
from reference.course.diffusion import reverse_q
from reference.course.schedule import ASSESSMENT_SCHEDULE, CourseSchedule

ContextNoiseModel = Callable[[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]


def weighted_noise(e_t_keep_c: torch.Tensor, e_t_drop_c: torch.Tensor, w: float) -> torch.Tensor:
    """e_t = (1 + w) · e_keep − w · e_drop.

    w = 0 is plain conditional sampling. The course's w is the usual guidance scale minus one:
    this equals e_drop + (1 + w) · (e_keep − e_drop).
    """
    return (1 + w) * e_t_keep_c - w * e_t_drop_c


@torch.no_grad()
def sample_w(
    model: ContextNoiseModel,
    c: torch.Tensor,
    w: float,
    *,
    schedule: CourseSchedule = ASSESSMENT_SCHEDULE,
    img_ch: int = IMG_CH,
    img_size: int = IMG_SIZE,
) -> torch.Tensor:
    """Generate one image per context row with guidance weight w, from t = T−1 down to 0.

    Each step runs the model once on a doubled batch: the first half with its context mask all
    ones (keep), the second with it all zeros (drop); then e_t = (1 + w)·e_keep − w·e_drop and
    x_{t−1} = reverse_q(x_t, t, e_t).

    c: (N, D) contexts, e.g. one-hot digits (the grader passes an int64 one-hot); it decides the
    device. Returns the final x: (N, img_ch, img_size, img_size), as the assessment's sample_w does.
    """
    device = c.device
    schedule = schedule.to(device)
    n_samples = len(c)
    c = c.float().repeat(2, 1)  # (2N, D)
    c_mask = torch.ones_like(c)
    c_mask[n_samples:] = 0.0
    x_t = torch.randn(n_samples, img_ch, img_size, img_size, device=device)
    for i in reversed(range(schedule.T)):
        t = torch.full((n_samples,), i, device=device)  # (N,)
        e_t = model(x_t.repeat(2, 1, 1, 1), t.repeat(2), c, c_mask)  # (2N, C, H, W)
        e_t = weighted_noise(e_t[:n_samples], e_t[n_samples:], w)  # (N, C, H, W)
        x_t = reverse_q(x_t, t, e_t, schedule=schedule)
    return x_t
