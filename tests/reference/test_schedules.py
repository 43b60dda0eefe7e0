"""Variance schedules, checked against plain-python float64 re-derivations and the corrected lesson figures."""

from __future__ import annotations

import math

import pytest
import torch

from reference import cosine_beta_schedule, first_step_below, linear_beta_schedule, precompute_schedule

T = 1000


def linear_betas_py(T: int, start: float = 1e-4, end: float = 0.02) -> list[float]:
    return [start + (end - start) * i / (T - 1) for i in range(T)]


def cosine_betas_py(T: int, s: float = 0.008) -> list[float]:
    def f(t: float) -> float:
        return math.cos((t / T + s) / (1 + s) * math.pi / 2) ** 2

    return [min(max(1 - f(i + 1) / f(i), 1e-5), 0.999) for i in range(T)]


def alpha_bar_py(betas: list[float]) -> list[float]:
    out, prod = [], 1.0
    for beta in betas:
        prod *= 1.0 - beta
        out.append(prod)
    return out


def first_below_py(values: list[float], threshold: float) -> int:
    return next(i for i, v in enumerate(values) if v < threshold)


LINEAR_AB = alpha_bar_py(linear_betas_py(T))
COSINE_AB = alpha_bar_py(cosine_betas_py(T))


@pytest.fixture(scope="module")
def linear_ab() -> torch.Tensor:
    return precompute_schedule(linear_beta_schedule(T))["alpha_bar"]


@pytest.fixture(scope="module")
def cosine_ab() -> torch.Tensor:
    return precompute_schedule(cosine_beta_schedule(T))["alpha_bar"]


def test_linear_betas_match_evenly_spaced_python_values():
    betas = linear_beta_schedule(T)
    assert betas.shape == (T,)
    assert betas.dtype == torch.float32
    assert betas[0].item() == pytest.approx(1e-4, rel=1e-6)
    assert betas[-1].item() == pytest.approx(0.02, rel=1e-6)
    expected = torch.tensor(linear_betas_py(T), dtype=torch.float64)
    torch.testing.assert_close(betas.double(), expected, rtol=0, atol=1e-7)


def test_linear_schedule_honours_custom_endpoints():
    betas = linear_beta_schedule(150, beta_start=1e-3, beta_end=0.05)
    expected = torch.tensor(linear_betas_py(150, 1e-3, 0.05), dtype=torch.float64)
    torch.testing.assert_close(betas.double(), expected, rtol=0, atol=1e-7)


def test_cosine_betas_match_python_formula_and_clamp():
    betas = cosine_beta_schedule(T)
    assert betas.shape == (T,)
    assert betas.dtype == torch.float32
    expected = torch.tensor(cosine_betas_py(T), dtype=torch.float64)
    # float32 cos near π/2 loses a few digits in the last steps, hence 5e-5 rather than ~1e-7.
    torch.testing.assert_close(betas.double(), expected, rtol=0, atol=5e-5)
    assert betas.min().item() >= 1e-5
    assert betas.max().item() <= 0.999 + 1e-7
    assert betas[-1].item() == pytest.approx(0.999, abs=1e-6)  # the last step is clamped
    assert bool((betas[1:] >= betas[:-1]).all())


def test_linear_alpha_bar_whole_curve_matches_float64_product(linear_ab):
    torch.testing.assert_close(linear_ab.double(), torch.tensor(LINEAR_AB, dtype=torch.float64), rtol=1e-4, atol=1e-6)


def test_cosine_alpha_bar_whole_curve_matches_float64_product(cosine_ab):
    torch.testing.assert_close(cosine_ab.double(), torch.tensor(COSINE_AB, dtype=torch.float64), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(("t", "value"), [(250, 0.5214), (500, 0.0778), (750, 0.00330)])
def test_linear_alpha_bar_true_figures(linear_ab, t, value):
    assert LINEAR_AB[t] == pytest.approx(value, rel=5e-4)
    assert linear_ab[t].item() == pytest.approx(value, rel=5e-4)


@pytest.mark.parametrize(("t", "value"), [(250, 0.8459), (500, 0.4923), (750, 0.1432)])
def test_cosine_alpha_bar_true_figures(cosine_ab, t, value):
    assert COSINE_AB[t] == pytest.approx(value, rel=5e-4)
    assert cosine_ab[t].item() == pytest.approx(value, rel=5e-4)


def test_first_step_below_one_percent(linear_ab, cosine_ab):
    assert first_below_py(LINEAR_AB, 0.01) == 673
    assert first_below_py(COSINE_AB, 0.01) == 935
    assert first_step_below(linear_ab, 0.01) == 673
    assert first_step_below(cosine_ab, 0.01) == 935


@pytest.mark.parametrize(("t", "wrong"), [(250, 0.6766), (500, 0.0473), (500, 0.05), (750, 0.000014)])
def test_linear_does_not_give_the_lessons_wrong_figures(linear_ab, t, wrong):
    assert linear_ab[t].item() != pytest.approx(wrong, rel=0.05)


@pytest.mark.parametrize(("t", "wrong"), [(250, 0.8536), (500, 0.5000), (750, 0.1464)])
def test_cosine_does_not_give_the_lessons_wrong_figures(cosine_ab, t, wrong):
    # The wrong cosine figures lie within about 2 % of the true ones, so a relative test would be too loose.
    assert abs(cosine_ab[t].item() - wrong) > 2e-3


def test_first_step_below_is_not_the_lessons_figure(linear_ab, cosine_ab):
    assert first_step_below(linear_ab, 0.01) != 650
    assert first_step_below(cosine_ab, 0.01) != 940


def test_first_step_below_edge_cases():
    values = torch.tensor([0.9, 0.5, 0.2, 0.05, 0.2])
    assert first_step_below(values, 0.6) == 1
    assert first_step_below(values, 0.9) == 1  # strictly below
    assert first_step_below(values, 0.95) == 0
    assert first_step_below(values, 0.01) == -1


def test_precompute_schedule_keys_and_relations():
    betas = linear_beta_schedule(50).double()
    sched = precompute_schedule(betas)
    assert set(sched) == {"betas", "alphas", "alpha_bar", "sqrt_alpha_bar", "sqrt_one_minus_alpha_bar", "sqrt_alpha"}
    for name, values in sched.items():
        assert values.shape == (50,), name
    assert torch.equal(sched["betas"], betas)

    expected_alphas = [1.0 - b for b in betas.tolist()]
    expected_ab = alpha_bar_py(betas.tolist())
    torch.testing.assert_close(sched["alphas"], torch.tensor(expected_alphas, dtype=torch.float64))
    torch.testing.assert_close(sched["alpha_bar"], torch.tensor(expected_ab, dtype=torch.float64))
    torch.testing.assert_close(sched["sqrt_alpha_bar"] ** 2, sched["alpha_bar"])
    torch.testing.assert_close(sched["sqrt_one_minus_alpha_bar"] ** 2, 1.0 - sched["alpha_bar"])
    torch.testing.assert_close(sched["sqrt_alpha"] ** 2, sched["alphas"])
    torch.testing.assert_close(
        sched["sqrt_alpha_bar"] ** 2 + sched["sqrt_one_minus_alpha_bar"] ** 2, torch.ones(50, dtype=torch.float64)
    )
    assert bool((sched["alpha_bar"][1:] < sched["alpha_bar"][:-1]).all())


def test_precompute_schedule_keeps_float32():
    sched = precompute_schedule(cosine_beta_schedule(100))
    assert all(v.dtype == torch.float32 for v in sched.values())
