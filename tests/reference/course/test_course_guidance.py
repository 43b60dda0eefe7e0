"""Guidance in the course's form, and sample_w against hand-written samplers built from COURSE.md."""

from __future__ import annotations

import math

import pytest
import torch

from reference import guided_noise
from reference.course import UNet, course_schedule, sample_w, weighted_noise

SHORT = course_schedule(T=6)


def test_weighted_noise_formula():
    e_keep, e_drop = torch.tensor([2.0, -1.0]), torch.tensor([0.5, 3.0])
    torch.testing.assert_close(weighted_noise(e_keep, e_drop, 1.0), torch.tensor([3.5, -5.0]))
    torch.testing.assert_close(weighted_noise(e_keep, e_drop, -0.5), torch.tensor([1.25, 1.0]))
    assert torch.equal(weighted_noise(e_keep, e_drop, 0.0), e_keep)


@pytest.mark.parametrize("w", [0.0, 0.6, 1.0, 2.0])
def test_course_w_is_the_lessons_scale_minus_one(w):
    torch.manual_seed(0)
    e_keep, e_drop = torch.randn(3, 1, 4, 4), torch.randn(3, 1, 4, 4)
    torch.testing.assert_close(weighted_noise(e_keep, e_drop, w), guided_noise(e_keep, e_drop, 1.0 + w))


class Recorder(torch.nn.Module):
    """A stand-in noise model that records its inputs and answers with a context-dependent constant."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[torch.Tensor, ...]] = []

    def forward(self, x, t, c, c_mask):
        self.calls.append((x.clone(), t.clone(), c.clone(), c_mask.clone()))
        return torch.zeros_like(x) + (c * c_mask).sum(dim=1)[:, None, None, None]


def test_sample_w_runs_one_doubled_batch_per_step_from_T_minus_1_to_0():
    model = Recorder()
    c = torch.eye(10)[[2, 7, 7]]
    out = sample_w(model, c, 1.0, schedule=SHORT)
    assert out.shape == (3, 1, 28, 28)
    assert len(model.calls) == SHORT.T
    for step, (x, t, c_in, c_mask) in zip(range(SHORT.T - 1, -1, -1), model.calls):
        assert x.shape == (6, 1, 28, 28) and torch.equal(x[:3], x[3:])
        assert t.flatten().tolist() == [step] * 6
        assert torch.equal(c_in, torch.cat([c, c]))
        assert torch.equal(c_mask, torch.cat([torch.ones(3, 10), torch.zeros(3, 10)]))


def test_sample_w_takes_the_graders_int64_one_hot_and_returns_one_tensor():
    c_hot = torch.nn.functional.one_hot(torch.full((5,), 4), 10)  # as run_assessment builds it
    x = sample_w(Recorder(), c_hot, w=1.0)
    assert isinstance(x, torch.Tensor)
    assert x.shape == (5, 1, 28, 28) and x.dtype == torch.float32


def hand_sampler(model, c, w, steps, img_size):
    """COURSE.md's sampler written out: separate keep and drop calls, μ, then √β_{t−1}·z for t > 0."""
    betas = [1e-4 + (0.02 - 1e-4) * i / (steps - 1) for i in range(steps)]
    n = len(c)
    x = torch.randn(n, 1, img_size, img_size)
    for step in reversed(range(steps)):
        t = torch.full((n,), step)
        e_keep = model(x, t, c, torch.ones_like(c))
        e = e_keep if w == 0 else (1 + w) * e_keep - w * model(x, t, c, torch.zeros_like(c))
        a_bar = math.prod(1 - b for b in betas[: step + 1])
        x = (x - betas[step] / math.sqrt(1 - a_bar) * e) / math.sqrt(1 - betas[step])
        if step > 0:
            x = x + math.sqrt(betas[step - 1]) * torch.randn_like(x)
    return x


@pytest.mark.parametrize("w", [0.0, 1.5])
def test_sample_w_matches_the_hand_sampler(w):
    torch.manual_seed(1)
    model = UNet(SHORT.T, 1, 8, down_chs=(32, 32, 32)).eval()
    c = torch.eye(10)[[1, 8]]
    torch.manual_seed(2)
    got = sample_w(model, c, w, schedule=SHORT, img_size=8)
    torch.manual_seed(2)
    expected = hand_sampler(model, c, w, SHORT.T, 8)
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-4)


class DropHalfIsLarge(torch.nn.Module):
    """Predicts 0 for the context-keeping half and 1000 for the context-dropping half."""

    def forward(self, x, t, c, c_mask):
        keep = c_mask.sum(dim=1) > 0
        return torch.where(keep[:, None, None, None], torch.zeros_like(x), torch.full_like(x, 1e3))


def zero_model(x, t, c, c_mask):
    return torch.zeros_like(x)


def test_w_zero_is_plain_conditional_sampling():
    torch.manual_seed(4)
    guided = sample_w(DropHalfIsLarge(), torch.eye(10)[:2], 0.0, schedule=SHORT)
    torch.manual_seed(4)
    conditional = sample_w(zero_model, torch.eye(10)[:2], 0.0, schedule=SHORT)
    assert torch.equal(guided, conditional)
    torch.manual_seed(4)
    assert not torch.allclose(sample_w(DropHalfIsLarge(), torch.eye(10)[:2], 0.5, schedule=SHORT), conditional)
