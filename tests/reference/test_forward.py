"""The forward process: the closed form against the step-by-step Markov chain, and its exact formula."""

from __future__ import annotations

import math

import pytest
import torch

from reference import extract, forward_diffusion, linear_beta_schedule, precompute_schedule, q_sample

N = 20_000
# Both estimates are compared with the exact moments; 5 standard errors keeps a fixed-seed test far from flaky.
Z = 5.0


@pytest.fixture(scope="module")
def schedule():
    return precompute_schedule(linear_beta_schedule(1000))


def alpha_bar_at(betas: list[float], t: int) -> float:
    return math.prod(1.0 - b for b in betas[: t + 1])


def assert_moments(samples: torch.Tensor, mean: float, var: float) -> None:
    n = samples.numel()
    se_mean = math.sqrt(var / n)
    se_var = var * math.sqrt(2.0 / (n - 1))  # the sample variance of a Gaussian
    assert samples.mean().item() == pytest.approx(mean, abs=Z * se_mean)
    assert samples.var().item() == pytest.approx(var, abs=Z * se_var)


def test_closed_form_matches_markov_chain(schedule):
    betas = schedule["betas"].double()
    beta_list = betas.tolist()
    x0_value = 1.5
    checkpoints = [0, 9, 99, 299]
    gen = torch.Generator().manual_seed(1234)

    # x_s = √(1−β_s)·x_{s−1} + √β_s·z, one step at a time; 0-indexed, so x at index t has taken t+1 steps.
    x = torch.full((N,), x0_value, dtype=torch.float64)
    chain = {}
    for s in range(max(checkpoints) + 1):
        z = torch.randn(N, generator=gen, dtype=torch.float64)
        x = torch.sqrt(1 - betas[s]) * x + torch.sqrt(betas[s]) * z
        if s in checkpoints:
            chain[s] = x.clone()

    torch.manual_seed(99)
    x_0 = torch.full((N, 1, 1, 1), x0_value)
    for t in checkpoints:
        ab = alpha_bar_at(beta_list, t)
        mean, var = math.sqrt(ab) * x0_value, 1.0 - ab
        assert_moments(chain[t], mean, var)
        x_t, _ = forward_diffusion(x_0, torch.full((N,), t, dtype=torch.long), schedule)
        assert_moments(x_t.double(), mean, var)
        # and the two empirical means agree with each other
        se = math.sqrt(2 * var / N)
        assert chain[t].mean().item() == pytest.approx(x_t.double().mean().item(), abs=Z * se)


def test_forward_diffusion_is_the_closed_form_for_its_own_noise(schedule):
    torch.manual_seed(0)
    x_0 = torch.randn(4, 3, 5, 5)
    t = torch.tensor([0, 7, 500, 999])
    x_t, noise = forward_diffusion(x_0, t, schedule)
    assert x_t.shape == x_0.shape and noise.shape == x_0.shape
    assert x_t.dtype == x_0.dtype and noise.dtype == x_0.dtype

    beta_list = schedule["betas"].double().tolist()
    for i, ti in enumerate(t.tolist()):
        ab = alpha_bar_at(beta_list, ti)
        expected = math.sqrt(ab) * x_0[i].double() + math.sqrt(1 - ab) * noise[i].double()
        torch.testing.assert_close(x_t[i].double(), expected, rtol=1e-5, atol=1e-5)


def test_forward_diffusion_noise_is_standard_normal(schedule):
    torch.manual_seed(1)
    x_0 = torch.zeros(N, 1, 1, 1)
    _, noise = forward_diffusion(x_0, torch.randint(0, 1000, (N,)), schedule)
    assert_moments(noise.double(), 0.0, 1.0)


def test_forward_diffusion_respects_manual_seed_and_leaves_input_alone(schedule):
    x_0 = torch.randn(2, 1, 4, 4)
    x_0_copy = x_0.clone()
    t = torch.tensor([3, 800])
    torch.manual_seed(5)
    first = forward_diffusion(x_0, t, schedule)
    torch.manual_seed(5)
    second = forward_diffusion(x_0, t, schedule)
    assert torch.equal(first[0], second[0]) and torch.equal(first[1], second[1])
    assert torch.equal(x_0, x_0_copy)


def test_forward_diffusion_endpoints(schedule):
    torch.manual_seed(2)
    x_0 = torch.rand(3, 1, 8, 8) * 2 - 1
    x_t, noise = forward_diffusion(x_0, torch.zeros(3, dtype=torch.long), schedule)
    assert (x_t - x_0).abs().max().item() < 0.1  # ᾱ_0 = 1 − 1e-4: almost no noise yet
    x_t, noise = forward_diffusion(x_0, torch.full((3,), 999, dtype=torch.long), schedule)
    assert (x_t - noise).abs().max().item() < 0.02  # ᾱ_999 ≈ 4e-5: almost pure noise


def test_q_sample_is_deterministic_and_exact():
    x_0 = torch.randn(2, 1, 3, 3, dtype=torch.float64)
    noise = torch.randn(2, 1, 3, 3, dtype=torch.float64)
    sched64 = precompute_schedule(linear_beta_schedule(1000).double())
    t = torch.tensor([10, 600])
    out = q_sample(x_0, t, sched64, noise)
    assert torch.equal(out, q_sample(x_0, t, sched64, noise))
    beta_list = sched64["betas"].tolist()
    for i, ti in enumerate(t.tolist()):
        ab = alpha_bar_at(beta_list, ti)
        torch.testing.assert_close(out[i], math.sqrt(ab) * x_0[i] + math.sqrt(1 - ab) * noise[i])


def test_extract_gathers_per_sample_and_broadcasts():
    coefficients = torch.arange(10, dtype=torch.float32) * 0.5
    t = torch.tensor([9, 0, 4])
    out = extract(coefficients, t, 4)
    assert out.shape == (3, 1, 1, 1)
    assert out.flatten().tolist() == [4.5, 0.0, 2.0]
    assert extract(coefficients, t, 2).shape == (3, 1)
