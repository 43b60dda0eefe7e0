"""The course's noise schedule: a linear β and the five coefficient tables that ``q`` and ``reverse_q`` read.

The course computes these as notebook globals under the names kept here. Index ``t`` runs over
``range(T)``, 0-based, as in the course.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import torch

from reference.course import config
from reference.schedules import linear_beta_schedule, precompute_schedule


@dataclass(frozen=True)
class CourseSchedule:
    """The schedule tables under the course's names, each of shape (T,)."""

    B: torch.Tensor
    a: torch.Tensor
    a_bar: torch.Tensor
    sqrt_a_bar: torch.Tensor
    sqrt_one_minus_a_bar: torch.Tensor
    sqrt_a_inv: torch.Tensor
    pred_noise_coeff: torch.Tensor

    @property
    def T(self) -> int:
        """The number of diffusion steps."""
        return int(self.B.shape[0])

    def to(self, device: torch.device | str) -> CourseSchedule:
        """The same tables on ``device`` (tensors already there are not copied)."""
        return CourseSchedule(**{field.name: getattr(self, field.name).to(device) for field in fields(self)})


def course_schedule(T: int = config.T, B_start: float = config.B_START, B_end: float = config.B_END) -> CourseSchedule:
    """Build the course's tables from a linear β schedule.

    B = linspace(B_start, B_end, T)
    a = 1 − B,  a_bar_t = ∏_{s≤t} a_s                         (the cumulative product)
    sqrt_a_bar = √a_bar,  sqrt_one_minus_a_bar = √(1 − a_bar)  (forward: mean and std coefficients)
    sqrt_a_inv = √(1/a),  pred_noise_coeff = (1 − a) / √(1 − a_bar)  (reverse-mean coefficients)
    """
    lesson = precompute_schedule(linear_beta_schedule(T, B_start, B_end))
    a, a_bar = lesson["alphas"], lesson["alpha_bar"]
    return CourseSchedule(
        B=lesson["betas"],
        a=a,
        a_bar=a_bar,
        sqrt_a_bar=lesson["sqrt_alpha_bar"],
        sqrt_one_minus_a_bar=lesson["sqrt_one_minus_alpha_bar"],
        sqrt_a_inv=torch.sqrt(1 / a),
        pred_noise_coeff=(1 - a) / torch.sqrt(1 - a_bar),
    )


ASSESSMENT_SCHEDULE = course_schedule()
"""The assessment's schedule (T = 150, β from 1e-4 to 0.02), on the CPU; functions move it to their inputs' device."""
