"""The course's schedule tables, recomputed in float64 Python from COURSE.md's formulas."""

from __future__ import annotations

import math

import pytest
import torch

from reference.course import ASSESSMENT_SCHEDULE, T, course_schedule


def betas_py(steps: int, start: float = 1e-4, end: float = 0.02) -> list[float]:
    return [start + (end - start) * i / (steps - 1) for i in range(steps)]


def test_assessment_schedule_has_150_linear_betas():
    assert T == 150
    assert ASSESSMENT_SCHEDULE.T == 150
    assert ASSESSMENT_SCHEDULE.B.shape == (150,)
    assert ASSESSMENT_SCHEDULE.B.dtype == torch.float32
    torch.testing.assert_close(ASSESSMENT_SCHEDULE.B.double(), torch.tensor(betas_py(150), dtype=torch.float64))
    assert ASSESSMENT_SCHEDULE.B[0].item() == pytest.approx(1e-4)
    assert ASSESSMENT_SCHEDULE.B[-1].item() == pytest.approx(0.02)


def test_tables_match_the_course_formulas():
    betas = betas_py(150)
    a_bar, prod = [], 1.0
    for beta in betas:
        prod *= 1.0 - beta
        a_bar.append(prod)
    expected = {
        "a": [1 - b for b in betas],
        "a_bar": a_bar,
        "sqrt_a_bar": [math.sqrt(v) for v in a_bar],
        "sqrt_one_minus_a_bar": [math.sqrt(1 - v) for v in a_bar],
        "sqrt_a_inv": [1 / math.sqrt(1 - b) for b in betas],
        # (1 − a) is β: written with β here so that the check does not repeat the code's form
        "pred_noise_coeff": [b / math.sqrt(1 - v) for b, v in zip(betas, a_bar)],
    }
    # float32 1 − ᾱ_0 = 1e-4 keeps only about four significant digits
    loose = {"sqrt_one_minus_a_bar", "pred_noise_coeff"}
    for name, values in expected.items():
        got = getattr(ASSESSMENT_SCHEDULE, name).double()
        rtol = 1e-3 if name in loose else 1e-5
        torch.testing.assert_close(got, torch.tensor(values, dtype=torch.float64), rtol=rtol, atol=1e-7, msg=name)


def test_a_bar_at_landmarks():
    # float64 products: ᾱ after the whole schedule is about 0.219 for T = 150, far from pure noise
    assert ASSESSMENT_SCHEDULE.a_bar[0].item() == pytest.approx(1 - 1e-4, rel=1e-6)
    last = math.prod(1 - b for b in betas_py(150))
    assert ASSESSMENT_SCHEDULE.a_bar[-1].item() == pytest.approx(last, rel=1e-4)
    assert 0.2 < last < 0.25


def test_default_schedule_is_the_assessment_one_and_other_lengths_work():
    default = course_schedule()
    for name in ("B", "a_bar", "pred_noise_coeff"):
        assert torch.equal(getattr(default, name), getattr(ASSESSMENT_SCHEDULE, name))
    flowers = course_schedule(T=400)
    assert flowers.T == 400 and flowers.sqrt_a_inv.shape == (400,)


def test_to_moves_every_table():
    moved = ASSESSMENT_SCHEDULE.to("meta")
    assert {getattr(moved, name).device.type for name in ("B", "a", "a_bar", "sqrt_a_bar",
                                                          "sqrt_one_minus_a_bar", "sqrt_a_inv",
                                                          "pred_noise_coeff")} == {"meta"}
    assert ASSESSMENT_SCHEDULE.B.device.type == "cpu"
