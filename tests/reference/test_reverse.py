"""The reverse process: the mean against the posterior-mean form, single steps, and whole DDPM sampling."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from reference import (
    linear_beta_schedule,
    precompute_schedule,
    reverse_mean,
    reverse_sigma,
    reverse_step,
    sample_ddpm,
)


def alpha_bars_py(betas: list[float]) -> list[float]:
    out, prod = [], 1.0
    for beta in betas:
        prod *= 1.0 - beta
        out.append(prod)
    return out


def test_reverse_mean_matches_posterior_mean_of_predicted_x0():
    betas = linear_beta_schedule(1000).double()
    sched = precompute_schedule(betas)
    beta_list = betas.tolist()
    ab = alpha_bars_py(beta_list)

    torch.manual_seed(0)
    t = torch.tensor([1, 2, 17, 250, 500, 900, 998, 999])  # all different, t ≥ 1 so that ᾱ_{t−1} exists
    x_t = torch.randn(len(t), 2, 3, 3, dtype=torch.float64)
    eps = torch.randn_like(x_t)

    out = reverse_mean(x_t, t, eps, sched)
    assert out.shape == x_t.shape and out.dtype == torch.float64
    for i, ti in enumerate(t.tolist()):
        beta_t, ab_t, ab_prev = beta_list[ti], ab[ti], ab[ti - 1]
        x0_hat = (x_t[i] - math.sqrt(1 - ab_t) * eps[i]) / math.sqrt(ab_t)
        mu = (math.sqrt(ab_prev) * beta_t / (1 - ab_t)) * x0_hat + (
            math.sqrt(1 - beta_t) * (1 - ab_prev) / (1 - ab_t)
        ) * x_t[i]
        torch.testing.assert_close(out[i], mu, rtol=0, atol=1e-5)


def test_reverse_mean_float32_agrees_with_float64():
    sched32 = precompute_schedule(linear_beta_schedule(1000))
    sched64 = precompute_schedule(linear_beta_schedule(1000).double())
    torch.manual_seed(3)
    t = torch.tensor([0, 5, 400, 999])
    x_t = torch.randn(4, 1, 4, 4)
    eps = torch.randn_like(x_t)
    out32 = reverse_mean(x_t, t, eps, sched32)
    out64 = reverse_mean(x_t.double(), t, eps.double(), sched64)
    assert out32.dtype == torch.float32
    torch.testing.assert_close(out32.double(), out64, rtol=1e-4, atol=1e-4)


def test_reverse_sigma():
    sched = precompute_schedule(linear_beta_schedule(100))
    assert reverse_sigma(0, sched).item() == 0.0
    for t in (1, 50, 99):
        assert reverse_sigma(t, sched).item() == pytest.approx(math.sqrt(sched["betas"][t].item()), rel=1e-6)


def test_reverse_step_adds_no_noise_at_t0():
    sched = precompute_schedule(linear_beta_schedule(100))
    x_t = torch.randn(3, 1, 4, 4)
    eps = torch.randn_like(x_t)
    mean = reverse_mean(x_t, torch.zeros(3, dtype=torch.long), eps, sched)
    torch.manual_seed(1)
    a = reverse_step(x_t, 0, eps, sched)
    torch.manual_seed(2)
    b = reverse_step(x_t, 0, eps, sched)
    c = reverse_step(x_t, 0, eps, sched, noise=torch.full_like(x_t, 100.0))
    assert torch.equal(a, mean) and torch.equal(b, mean) and torch.equal(c, mean)


@pytest.mark.parametrize("t", [1, 42, 99])
def test_reverse_step_with_given_noise_is_mean_plus_sigma_noise(t):
    sched = precompute_schedule(linear_beta_schedule(100))
    torch.manual_seed(4)
    x_t = torch.randn(2, 1, 4, 4)
    eps = torch.randn_like(x_t)
    noise = torch.randn_like(x_t)
    mean = reverse_mean(x_t, torch.full((2,), t), eps, sched)
    out = reverse_step(x_t, t, eps, sched, noise=noise)
    torch.testing.assert_close(out, mean + math.sqrt(sched["betas"][t].item()) * noise)


def test_reverse_step_draws_fresh_noise_when_none_given():
    sched = precompute_schedule(linear_beta_schedule(100))
    x_t = torch.randn(2, 1, 4, 4)
    eps = torch.randn_like(x_t)
    torch.manual_seed(7)
    a = reverse_step(x_t, 10, eps, sched)
    b = reverse_step(x_t, 10, eps, sched)
    torch.manual_seed(7)
    c = reverse_step(x_t, 10, eps, sched)
    assert not torch.equal(a, b)
    assert torch.equal(a, c)


class ParamNoiseModel(nn.Module):
    """A model whose parameters require grad, to check that sampling builds no graph."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 2, kernel_size=1)
        self.calls: list[torch.Tensor] = []

    def forward(self, x, t):
        self.calls.append(t.clone())
        return 0.1 * self.conv(x)


def test_sample_ddpm_shape_dtype_device_and_no_graph():
    sched = precompute_schedule(linear_beta_schedule(20))
    model = ParamNoiseModel()
    assert all(p.requires_grad for p in model.parameters())
    torch.manual_seed(0)
    out = sample_ddpm(model, n_samples=3, img_channels=2, img_size=5, schedule=sched, device="cpu")
    assert out.shape == (3, 2, 5, 5)
    assert out.dtype == torch.float32
    assert out.device.type == "cpu"
    assert out.grad_fn is None and not out.requires_grad
    assert torch.isfinite(out).all()

    # one call per step, from T−1 down to 0, with a (B,) long timestep tensor
    assert [int(t[0]) for t in model.calls] == list(reversed(range(20)))
    for t in model.calls:
        assert t.shape == (3,) and t.dtype == torch.long and bool((t == t[0]).all())


def test_sample_ddpm_respects_manual_seed():
    sched = precompute_schedule(linear_beta_schedule(10))
    model = ParamNoiseModel()
    torch.manual_seed(11)
    a = sample_ddpm(model, 2, 2, 4, sched, "cpu")
    torch.manual_seed(11)
    b = sample_ddpm(model, 2, 2, 4, sched, "cpu")
    assert torch.equal(a, b)


def make_target() -> torch.Tensor:
    return torch.tensor([[-0.9, -0.3], [0.4, 0.8]]).reshape(1, 1, 2, 2)


def exact_predictor(target: torch.Tensor, sched: dict[str, torch.Tensor]):
    """The ideal noise predictor for a data set holding the single image ``target``."""
    sqrt_ab, sqrt_omab = sched["sqrt_alpha_bar"], sched["sqrt_one_minus_alpha_bar"]

    def model(x_t, t):
        return (x_t - sqrt_ab[t].view(-1, 1, 1, 1) * target) / sqrt_omab[t].view(-1, 1, 1, 1)

    return model


@pytest.mark.parametrize("T", [50, 1000])
def test_sample_ddpm_with_exact_predictor_lands_on_the_data_point(T):
    sched = precompute_schedule(linear_beta_schedule(T))
    target = make_target()
    torch.manual_seed(0)
    out = sample_ddpm(exact_predictor(target, sched), n_samples=4, img_channels=1, img_size=2, schedule=sched, device="cpu")
    assert out.shape == (4, 1, 2, 2)
    torch.testing.assert_close(out, target.expand(4, 1, 2, 2), rtol=0, atol=1e-3)


def plus_sign_sampler(model, n, c, size, sched):
    """The lesson's Q3 bug: '+' instead of '−' in front of the noise term of the reverse mean."""
    x = torch.randn(n, c, size, size)
    for t in reversed(range(len(sched["betas"]))):
        t_batch = torch.full((n,), t, dtype=torch.long)
        eps = model(x, t_batch)
        beta = sched["betas"][t]
        mean = (x + beta / sched["sqrt_one_minus_alpha_bar"][t] * eps) / sched["sqrt_alpha"][t]
        x = mean + torch.sqrt(beta) * torch.randn_like(x) if t > 0 else mean
    return x


def test_plus_sign_bug_diverges_instead_of_going_black():
    sched = precompute_schedule(linear_beta_schedule(1000))
    target = make_target()
    model = exact_predictor(target, sched)
    torch.manual_seed(0)
    buggy = plus_sign_sampler(model, 4, 1, 2, sched)
    # The lesson says the bug gives near-zero (black) images; in fact the magnitudes explode.
    assert buggy.abs().max().item() > 1e6
    assert buggy.abs().min().item() > 1e3  # not a single pixel stays near zero
    torch.manual_seed(0)
    correct = sample_ddpm(model, 4, 1, 2, sched, "cpu")
    assert correct.abs().max().item() < 2
