"""Classifier-free guidance: the guided noise, condition dropout and guided sampling."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from reference import (
    ConditionalUNet,
    drop_condition,
    guided_noise,
    linear_beta_schedule,
    precompute_schedule,
    sample_cfg,
)

NUM_CLASSES = 4


def test_guided_noise_formula():
    torch.manual_seed(0)
    eps_c = torch.randn(2, 1, 4, 4)
    eps_u = torch.randn(2, 1, 4, 4)
    for w in (0.0, 1.0, 3.0, 7.5):
        torch.testing.assert_close(guided_noise(eps_c, eps_u, w), (1 - w) * eps_u + w * eps_c)
    assert torch.equal(guided_noise(eps_c, eps_u, 0.0), eps_u)
    torch.testing.assert_close(guided_noise(eps_c, eps_u, 1.0), eps_c)


def test_drop_condition_rate_and_null_class():
    torch.manual_seed(0)
    n, p = 100_000, 0.1
    labels = torch.randint(0, NUM_CLASSES, (n,))
    original = labels.clone()
    out = drop_condition(labels, p, NUM_CLASSES)
    assert torch.equal(labels, original)  # the input is not modified
    assert out.shape == labels.shape and out.dtype == labels.dtype
    dropped = out != labels
    assert bool((out[dropped] == NUM_CLASSES).all())
    assert torch.equal(out[~dropped], labels[~dropped])
    # binomial standard error √(p(1−p)/n) ≈ 0.00095; allow 5 of them
    assert dropped.float().mean().item() == pytest.approx(p, abs=5 * math.sqrt(p * (1 - p) / n))


@pytest.mark.parametrize("p", [0.3, 0.5])
def test_drop_condition_other_rates(p):
    torch.manual_seed(1)
    n = 50_000
    labels = torch.randint(0, NUM_CLASSES, (n,))
    rate = (drop_condition(labels, p, NUM_CLASSES) == NUM_CLASSES).float().mean().item()
    assert rate == pytest.approx(p, abs=5 * math.sqrt(p * (1 - p) / n))


def test_drop_condition_extremes():
    labels = torch.arange(NUM_CLASSES).repeat(10)
    assert torch.equal(drop_condition(labels, 0.0, NUM_CLASSES), labels)
    assert torch.equal(drop_condition(labels, 1.0, NUM_CLASSES), torch.full_like(labels, NUM_CLASSES))


class ToyConditionalModel(nn.Module):
    """A deterministic, element-wise ε-predictor, so that a batch of 2B and two batches of B agree bit for bit."""

    def __init__(self, num_classes: int):
        super().__init__()
        self.class_offset = nn.Parameter(torch.linspace(-0.5, 0.5, num_classes + 1))
        self.calls: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = []

    def forward(self, x, t, labels):
        self.calls.append((x.clone(), t.clone(), labels.clone()))
        offset = self.class_offset[labels].view(-1, 1, 1, 1)
        return 0.3 * torch.tanh(x) + offset + 0.001 * t.view(-1, 1, 1, 1).float()


def reference_free_sampler(model, shape, sched, labels):
    """Plain DDPM sampling with one conditional call per step, written from the lesson's formulas.

    It draws randomness in the same order as sample_cfg: randn for x_T, then randn_like per step t > 0.
    """
    x = torch.randn(shape)
    for t in reversed(range(len(sched["betas"]))):
        t_batch = torch.full((shape[0],), t, dtype=torch.long)
        eps = model(x, t_batch, labels)
        beta = sched["betas"][t]
        alpha = 1 - beta
        alpha_bar = torch.prod(1 - sched["betas"][: t + 1])
        mean = (1.0 / torch.sqrt(alpha)) * (x - beta / torch.sqrt(1 - alpha_bar) * eps)
        x = mean + torch.sqrt(beta) * torch.randn_like(x) if t > 0 else mean
    return x


@pytest.fixture()
def sched():
    return precompute_schedule(linear_beta_schedule(30))


SHAPE = (3, 1, 4, 4)
LABELS = torch.tensor([0, 2, 3])


def test_random_draws_line_up_with_the_test_sampler(sched):
    # With ε̂ ≡ 0 the guided noise is exactly 0 for every w, so any difference would come from the random draws.
    def zero_model(x, t, labels):
        return torch.zeros_like(x)

    torch.manual_seed(21)
    ours = reference_free_sampler(zero_model, SHAPE, sched, LABELS)
    torch.manual_seed(21)
    theirs = sample_cfg(zero_model, SHAPE, sched, LABELS, 3.0, NUM_CLASSES, "cpu")
    assert torch.equal(ours, theirs)
    torch.manual_seed(22)
    assert not torch.equal(ours, sample_cfg(zero_model, SHAPE, sched, LABELS, 3.0, NUM_CLASSES, "cpu"))


def test_guidance_scale_one_is_plain_conditional_sampling(sched):
    model = ToyConditionalModel(NUM_CLASSES)
    torch.manual_seed(5)
    expected = reference_free_sampler(model, SHAPE, sched, LABELS)
    torch.manual_seed(5)
    out = sample_cfg(model, SHAPE, sched, LABELS, 1.0, NUM_CLASSES, "cpu")
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-5)


def test_guidance_scale_zero_is_unconditional_sampling(sched):
    model = ToyConditionalModel(NUM_CLASSES)
    torch.manual_seed(6)
    expected = reference_free_sampler(model, SHAPE, sched, torch.full((3,), NUM_CLASSES))
    torch.manual_seed(6)
    out = sample_cfg(model, SHAPE, sched, LABELS, 0.0, NUM_CLASSES, "cpu")
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-5)


def test_strong_guidance_differs_from_conditional(sched):
    model = ToyConditionalModel(NUM_CLASSES)
    torch.manual_seed(7)
    plain = sample_cfg(model, SHAPE, sched, LABELS, 1.0, NUM_CLASSES, "cpu")
    torch.manual_seed(7)
    guided = sample_cfg(model, SHAPE, sched, LABELS, 5.0, NUM_CLASSES, "cpu")
    assert (plain - guided).abs().max().item() > 1e-2


def test_sample_cfg_batches_conditional_and_null_labels(sched):
    model = ToyConditionalModel(NUM_CLASSES)
    torch.manual_seed(8)
    out = sample_cfg(model, SHAPE, sched, LABELS, 2.0, NUM_CLASSES, "cpu")
    assert out.shape == SHAPE
    assert out.grad_fn is None  # the toy model has a parameter that requires grad
    assert len(model.calls) == 30
    for step, (x, t, labels) in enumerate(model.calls):
        assert x.shape == (6, 1, 4, 4)
        assert torch.equal(x[:3], x[3:])
        assert torch.equal(labels, torch.tensor([0, 2, 3, NUM_CLASSES, NUM_CLASSES, NUM_CLASSES]))
        assert t.shape == (6,) and bool((t == 29 - step).all())


def test_sample_cfg_with_a_conditional_unet(sched):
    model = ConditionalUNet(NUM_CLASSES, in_channels=1, base_channels=8, time_emb_dim=8, levels=1).eval()
    torch.manual_seed(9)
    out = sample_cfg(model, (2, 1, 4, 4), precompute_schedule(linear_beta_schedule(5)), torch.tensor([1, 3]), 3.0,
                     NUM_CLASSES, "cpu")
    assert out.shape == (2, 1, 4, 4)
    assert out.grad_fn is None
    assert torch.isfinite(out).all()
