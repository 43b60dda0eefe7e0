"""Every function follows the device of its inputs: checked with the meta device everywhere, and on CUDA
where it exists. The schedule stays on the CPU and is moved by the functions that read it."""

from __future__ import annotations

import pytest
import torch

from reference.course import (
    ASSESSMENT_SCHEDULE,
    UNet,
    context_keep_mask,
    course_schedule,
    get_context_mask,
    get_loss,
    q,
    reverse_q,
    sample_w,
)

META = torch.device("meta")


def test_q_and_the_masks_stay_on_the_inputs_device():
    x_t, noise = q(torch.empty(2, 1, 28, 28, device=META), torch.tensor([3, 9], device=META))
    assert x_t.device == noise.device == META
    c_hot, c_mask = get_context_mask(torch.tensor([1, 2], device=META), 0.1)
    assert c_hot.device == c_mask.device == META
    assert context_keep_mask(torch.empty(4, 512, device=META), 0.1).device == META
    assert ASSESSMENT_SCHEDULE.B.device.type == "cpu"


def test_reverse_q_follows_x_t_even_with_a_cpu_t():
    x = torch.empty(2, 1, 28, 28, device=META)
    assert reverse_q(x, torch.tensor([40, 40]), x).device == META


def test_unet_and_loss_follow_the_model_and_inputs():
    model = UNet(150, 1, 28).to(META)
    x, t = torch.empty(2, 1, 28, 28, device=META), torch.tensor([1.0, 2.0], device=META)
    c_hot, c_mask = get_context_mask(torch.tensor([1, 2], device=META), 0.1)
    assert model(x, t, c_hot, c_mask).device == META
    assert get_loss(model, x, t, c_hot, c_mask).device == META


# ---- on a real GPU ----

CUDA = torch.device("cuda")


@pytest.mark.gpu
def test_gpu_sampling_stays_on_the_gpu_and_matches_the_cpu_formulas():
    torch.manual_seed(0)
    model = UNet(5, 1, 28, down_chs=(32, 32, 32)).to(CUDA).eval()
    c_hot = torch.nn.functional.one_hot(torch.full((5,), 3, device=CUDA), 10)  # as the grader sends it
    out = sample_w(model, c_hot, w=1.0, schedule=course_schedule(T=5))
    assert out.device.type == "cuda" and out.shape == (5, 1, 28, 28)
    x_t, e_t = torch.randn(2, 1, 8, 8), torch.randn(2, 1, 8, 8)
    t = torch.tensor([0, 0])
    torch.testing.assert_close(reverse_q(x_t.to(CUDA), t.to(CUDA), e_t.to(CUDA)).cpu(), reverse_q(x_t, t, e_t))


@pytest.mark.gpu
def test_gpu_unet_matches_cpu(monkeypatch):
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)
    monkeypatch.setattr(torch.backends.cuda.matmul, "allow_tf32", False)
    torch.manual_seed(1)
    model = UNet(150, 1, 28).eval()
    x, t = torch.randn(2, 1, 28, 28), torch.tensor([4, 130])
    c_hot, c_mask = get_context_mask(torch.tensor([0, 7]), 0.0)
    with torch.no_grad():
        cpu_out = model(x, t, c_hot, c_mask)
        gpu_out = model.to(CUDA)(x.to(CUDA), t.to(CUDA), c_hot.to(CUDA), c_mask.to(CUDA))
    torch.testing.assert_close(gpu_out.cpu(), cpu_out, rtol=1e-3, atol=1e-3)
