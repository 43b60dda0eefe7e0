"""Training: the simplified loss, one optimisation step, and the epoch loops, with and without CFG."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from reference import (
    ConditionalUNet,
    UNet,
    cfg_loss,
    ddpm_loss,
    linear_beta_schedule,
    precompute_schedule,
    train_ddpm,
    train_ddpm_cfg,
    train_step,
)

NUM_CLASSES = 3


def smooth_images(n: int, size: int = 16) -> torch.Tensor:
    """Fixed plane waves in [-1, 1]: structured enough that a small U-Net learns their noise quickly."""
    gen = torch.Generator().manual_seed(0)
    ys, xs = torch.meshgrid(torch.linspace(0, 1, size), torch.linspace(0, 1, size), indexing="ij")
    fx = torch.rand(n, generator=gen)[:, None, None] * 2 + 1
    fy = torch.rand(n, generator=gen)[:, None, None] * 2 + 1
    phase = torch.rand(n, generator=gen)[:, None, None] * 2 * math.pi
    return torch.sin(2 * math.pi * (fx * xs + fy * ys) + phase)[:, None]  # (n, 1, size, size)


class Recorder(nn.Module):
    """A one-parameter ε-predictor that remembers what it was called with."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(0.3))
        self.seen: list[tuple[torch.Tensor, ...]] = []

    def forward(self, x_t, t, *labels):
        self.seen.append((x_t.detach().clone(), t.clone(), *(label.clone() for label in labels)))
        return self.scale * x_t


class TinyNoiseNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 3, padding=1)
        self.t_scale = nn.Parameter(torch.tensor(0.01))

    def forward(self, x_t, t):
        return self.conv(x_t) + self.t_scale * t.float().view(-1, 1, 1, 1)


def test_train_step_lowers_the_loss_of_a_small_unet():
    torch.manual_seed(0)
    model = UNet(in_channels=1, base_channels=8, time_emb_dim=16, levels=2)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    sched = precompute_schedule(linear_beta_schedule(100))
    x_0 = smooth_images(16)
    losses = [train_step(model, optimizer, x_0, sched) for _ in range(30)]
    assert all(isinstance(loss, float) and math.isfinite(loss) for loss in losses)
    first, last = sum(losses[:5]) / 5, sum(losses[-5:]) / 5
    assert last < 0.7 * first, (first, last)


def test_train_step_zeroes_old_gradients_then_steps():
    sched = precompute_schedule(linear_beta_schedule(50))
    x_0 = smooth_images(4, size=8)
    torch.manual_seed(1)
    model = TinyNoiseNet()
    twin = TinyNoiseNet()
    twin.load_state_dict(model.state_dict())

    # the fresh gradient of the same loss draw, computed by hand on the twin
    torch.manual_seed(2)
    expected_loss = ddpm_loss(twin, x_0, sched)
    expected_loss.backward()
    fresh = [p.grad.clone() for p in twin.parameters()]

    lr = 0.1
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for p in model.parameters():
        p.grad = torch.full_like(p, 1e3)  # stale gradients that zero_grad must clear
    before = [p.detach().clone() for p in model.parameters()]
    torch.manual_seed(2)
    loss = train_step(model, optimizer, x_0, sched)

    assert loss == pytest.approx(expected_loss.item(), rel=1e-6)
    for p, p0, g in zip(model.parameters(), before, fresh):
        assert not torch.equal(p.detach(), p0)  # the optimiser stepped
        torch.testing.assert_close(p.grad, g)  # backward ran on the new loss only
        torch.testing.assert_close(p.detach(), p0 - lr * g)


def test_ddpm_loss_is_mse_against_the_noise_that_made_x_t():
    # A gentle schedule keeps √(1−ᾱ_t) well away from 0, so ε can be recovered from x_t accurately.
    sched = precompute_schedule(linear_beta_schedule(10, beta_start=0.1, beta_end=0.2))
    x_0 = smooth_images(64, size=4)
    model = Recorder()
    torch.manual_seed(3)
    loss = ddpm_loss(model, x_0, sched)
    assert loss.shape == () and loss.requires_grad

    (x_t, t), = model.seen
    assert t.shape == (64,) and t.dtype == torch.long
    assert int(t.min()) >= 0 and int(t.max()) < 10
    assert len(set(t.tolist())) > 1  # one timestep per sample, not one per batch
    ab = torch.cumprod(1 - sched["betas"].double(), 0)[t].view(-1, 1, 1, 1)
    eps = (x_t.double() - ab.sqrt() * x_0.double()) / (1 - ab).sqrt()
    expected = ((0.3 * x_t.double() - eps) ** 2).mean()
    assert loss.item() == pytest.approx(expected.item(), rel=1e-4)
    assert eps.var().item() == pytest.approx(1.0, abs=0.15)


def test_ddpm_loss_of_a_zero_predictor_is_the_noise_power():
    sched = precompute_schedule(linear_beta_schedule(100))
    torch.manual_seed(4)

    def zero(x_t, t):
        return torch.zeros_like(x_t)

    loss = ddpm_loss(zero, torch.zeros(256, 1, 8, 8), sched)
    # E‖ε‖² = 1; 16 384 values give a standard error of about 0.011
    assert loss.item() == pytest.approx(1.0, abs=0.06)


def test_cfg_loss_runs_and_drops_labels_to_the_null_class():
    sched = precompute_schedule(linear_beta_schedule(20))
    x_0 = smooth_images(8, size=8)
    labels = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])

    model = Recorder()
    torch.manual_seed(5)
    loss = cfg_loss(model, x_0, labels, sched, p_uncond=0.0, num_classes=NUM_CLASSES)
    assert loss.shape == () and math.isfinite(loss.item())
    loss.backward()
    assert model.scale.grad is not None
    assert torch.equal(model.seen[-1][2], labels)

    cfg_loss(model, x_0, labels, sched, p_uncond=1.0, num_classes=NUM_CLASSES)
    assert torch.equal(model.seen[-1][2], torch.full_like(labels, NUM_CLASSES))

    unet = ConditionalUNet(NUM_CLASSES, base_channels=8, time_emb_dim=8, levels=1)
    loss = cfg_loss(unet, x_0, labels, sched, p_uncond=0.5, num_classes=NUM_CLASSES)
    loss.backward()
    assert unet.class_embed.weight.grad is not None


def test_train_ddpm_returns_one_loss_per_epoch():
    torch.manual_seed(6)
    images = smooth_images(8, size=8)
    loader = DataLoader(TensorDataset(images, torch.zeros(8, dtype=torch.long)), batch_size=4, shuffle=False)
    model = UNet(in_channels=1, base_channels=8, time_emb_dim=8, levels=1)
    before = [p.detach().clone() for p in model.parameters()]
    history = train_ddpm(model, loader, precompute_schedule(linear_beta_schedule(20)), epochs=3, lr=1e-3)
    assert len(history) == 3
    assert all(isinstance(v, float) and math.isfinite(v) for v in history)
    assert any(not torch.equal(p.detach(), p0) for p, p0 in zip(model.parameters(), before))


def test_train_ddpm_cfg_returns_one_loss_per_epoch():
    torch.manual_seed(7)
    images = smooth_images(8, size=8)
    labels = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    loader = DataLoader(TensorDataset(images, labels), batch_size=4)
    model = ConditionalUNet(NUM_CLASSES, base_channels=8, time_emb_dim=8, levels=1)
    history = train_ddpm_cfg(
        model, loader, precompute_schedule(linear_beta_schedule(20)), epochs=2, lr=1e-3, num_classes=NUM_CLASSES
    )
    assert len(history) == 2
    assert all(math.isfinite(v) for v in history)
