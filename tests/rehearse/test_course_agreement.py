"""The rehearsal's model solution against the course's reference (``reference.course``): the same
tables, and the same U-Net, weight for weight, so that what the rehearsal trains is the course's model."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from engine.rehearse.execute import run_cells
from engine.rehearse.notebook import solution_text
from engine.rehearse.profiles import get_profile
from reference.course import UNet, course_schedule


def solution_namespace() -> dict:
    torch.manual_seed(0)
    return run_cells(solution_text(), "solution.py", get_profile("course").overrides("cpu"), {"dataloader": []})


def test_the_schedule_tables_are_the_courses():
    namespace, schedule = solution_namespace(), course_schedule()
    for name in ("sqrt_a_bar", "sqrt_one_minus_a_bar", "sqrt_a_inv", "pred_noise_coeff"):
        assert torch.allclose(namespace[name], getattr(schedule, name)), name


def test_the_unet_is_the_courses_weight_for_weight():
    namespace = solution_namespace()
    ours = namespace["model"].eval()
    course = UNet(150, 1, 28).eval()
    course.load_state_dict(ours.state_dict())
    assert sum(p.numel() for p in ours.parameters()) == 2_547_457
    x = torch.randn(4, 1, 28, 28)
    t = torch.tensor([0, 1, 75, 149])
    c = F.one_hot(torch.tensor([0, 3, 7, 9]), 10)  # int64, as the grader sends it
    mask = torch.tensor([[1.0] * 10, [0.0] * 10, [1.0] * 10, [1.0, 0.0] * 5])
    with torch.no_grad():
        assert torch.allclose(ours(x, t, c, mask), course(x, t, c, mask), atol=1e-5)
