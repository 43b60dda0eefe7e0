"""Device choice, and (on a CUDA machine) the reference giving the CPU's results on the GPU."""

from __future__ import annotations

import pytest
import torch

import reference
from reference import (
    ConditionalUNet,
    UNet,
    cosine_beta_schedule,
    drop_condition,
    linear_beta_schedule,
    pick_device,
    precompute_schedule,
    q_sample,
    rearrange_downsample,
    reverse_mean,
    reverse_step,
    sample_cfg,
    sample_ddpm,
    train_step,
)


@pytest.fixture()
def no_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)


@pytest.fixture()
def fake_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)


def test_default_is_cpu_without_cuda(monkeypatch, no_cuda):
    monkeypatch.delenv("DRILL_DEVICE", raising=False)
    assert pick_device() == torch.device("cpu")
    assert pick_device(None) == torch.device("cpu")


def test_default_is_cuda_when_available(monkeypatch, fake_cuda):
    monkeypatch.delenv("DRILL_DEVICE", raising=False)
    assert pick_device() == torch.device("cuda")


def test_environment_variable_is_honoured(monkeypatch, fake_cuda):
    monkeypatch.setenv("DRILL_DEVICE", "cpu")
    assert pick_device() == torch.device("cpu")


def test_explicit_argument_beats_environment(monkeypatch, no_cuda):
    monkeypatch.setenv("DRILL_DEVICE", "cuda")
    assert pick_device("cpu") == torch.device("cpu")


def test_explicit_cuda_index_when_available(monkeypatch, fake_cuda):
    monkeypatch.delenv("DRILL_DEVICE", raising=False)
    assert pick_device("cuda:0") == torch.device("cuda", 0)


@pytest.mark.parametrize("requested", ["cuda", "cuda:0"])
def test_requesting_cuda_without_cuda_raises(monkeypatch, no_cuda, requested):
    monkeypatch.delenv("DRILL_DEVICE", raising=False)
    with pytest.raises(RuntimeError, match="CUDA"):
        pick_device(requested)


def test_cuda_from_environment_without_cuda_raises(monkeypatch, no_cuda):
    monkeypatch.setenv("DRILL_DEVICE", "cuda")
    with pytest.raises(RuntimeError, match="CUDA"):
        pick_device()


def test_pick_device_is_exported():
    assert reference.pick_device is pick_device


# ---- on a real GPU ----

CUDA = torch.device("cuda")


@pytest.mark.gpu
def test_gpu_schedule_and_forward_match_cpu():
    sched = precompute_schedule(cosine_beta_schedule(100))
    sched_gpu = precompute_schedule(cosine_beta_schedule(100).to(CUDA))
    for name in sched:
        torch.testing.assert_close(sched_gpu[name].cpu(), sched[name])
    torch.manual_seed(0)
    x_0, noise = torch.randn(3, 1, 4, 4), torch.randn(3, 1, 4, 4)
    t = torch.tensor([0, 50, 99])
    out_gpu = q_sample(x_0.to(CUDA), t.to(CUDA), sched, noise.to(CUDA))  # a CPU schedule is moved by extract
    assert out_gpu.device.type == "cuda"
    torch.testing.assert_close(out_gpu.cpu(), q_sample(x_0, t, sched, noise))


@pytest.mark.gpu
def test_gpu_reverse_step_matches_cpu():
    sched = precompute_schedule(linear_beta_schedule(100))
    sched_gpu = {k: v.to(CUDA) for k, v in sched.items()}
    torch.manual_seed(1)
    x_t, eps, z = torch.randn(2, 1, 4, 4), torch.randn(2, 1, 4, 4), torch.randn(2, 1, 4, 4)
    t = torch.tensor([3, 70])
    torch.testing.assert_close(reverse_mean(x_t.to(CUDA), t.to(CUDA), eps.to(CUDA), sched_gpu).cpu(),
                               reverse_mean(x_t, t, eps, sched))
    out = reverse_step(x_t.to(CUDA), 40, eps.to(CUDA), sched_gpu, noise=z.to(CUDA))
    assert out.device.type == "cuda"
    torch.testing.assert_close(out.cpu(), reverse_step(x_t, 40, eps, sched, noise=z))


@pytest.mark.gpu
def test_gpu_unet_and_rearrange_match_cpu(monkeypatch):
    # TF32 convolutions (on by default in cuDNN) would need a ~1e-2 tolerance; compare true float32 instead.
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)
    monkeypatch.setattr(torch.backends.cuda.matmul, "allow_tf32", False)
    torch.manual_seed(2)
    model = UNet(in_channels=1, base_channels=8, time_emb_dim=16, levels=2).eval()
    x, t = torch.randn(2, 1, 16, 16), torch.tensor([5, 600])
    with torch.no_grad():
        cpu_out = model(x, t)
        gpu_out = model.to(CUDA)(x.to(CUDA), t.to(CUDA))
    assert gpu_out.device.type == "cuda"
    torch.testing.assert_close(gpu_out.cpu(), cpu_out, rtol=1e-3, atol=1e-3)
    assert torch.equal(rearrange_downsample(x.to(CUDA)).cpu(), rearrange_downsample(x))


@pytest.mark.gpu
def test_gpu_samplers_and_training_stay_on_the_gpu():
    sched = precompute_schedule(linear_beta_schedule(5))  # on the CPU: the samplers move it
    model = UNet(in_channels=1, base_channels=8, time_emb_dim=8, levels=1).to(CUDA).eval()
    out = sample_ddpm(model, 2, 1, 8, sched, CUDA)
    assert out.device.type == "cuda" and out.shape == (2, 1, 8, 8)

    cond = ConditionalUNet(3, base_channels=8, time_emb_dim=8, levels=1).to(CUDA).eval()
    out = sample_cfg(cond, (2, 1, 8, 8), sched, torch.tensor([0, 2]), 3.0, 3, CUDA)
    assert out.device.type == "cuda" and out.shape == (2, 1, 8, 8)

    labels = torch.tensor([0, 1, 2], device=CUDA)
    assert drop_condition(labels, 0.5, 3).device.type == "cuda"

    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched_gpu = {k: v.to(CUDA) for k, v in sched.items()}
    loss = train_step(model, optimizer, torch.randn(2, 1, 8, 8, device=CUDA), sched_gpu)
    assert isinstance(loss, float)


def test_drill_home_points_at_a_temporary_directory(tmp_path):
    import os

    assert os.environ["DRILL_HOME"] == str(tmp_path)
