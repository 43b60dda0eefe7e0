"""The seven blocks: shapes, and each body recomputed with torch.nn.functional from its own weights."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from reference.course import (
    DownBlock,
    EmbedBlock,
    GELUConvBlock,
    RearrangePoolBlock,
    ResidualConvBlock,
    SinusoidalPositionEmbedBlock,
    UpBlock,
)


@pytest.fixture(autouse=True)
def seeded():
    torch.manual_seed(0)


def gelu_conv_by_hand(block: GELUConvBlock, x: torch.Tensor) -> torch.Tensor:
    conv, norm = block.model[0], block.model[1]
    h = F.conv2d(x, conv.weight, conv.bias, stride=1, padding=1)
    return F.gelu(F.group_norm(h, norm.num_groups, norm.weight, norm.bias, norm.eps))


def test_gelu_conv_block_is_conv_groupnorm_gelu():
    block = GELUConvBlock(3, 16, 8)
    conv, norm = block.model[0], block.model[1]
    assert conv.kernel_size == (3, 3) and conv.stride == (1, 1) and conv.padding == (1, 1)
    assert norm.num_groups == 8 and norm.num_channels == 16
    x = torch.randn(2, 3, 10, 10)
    out = block(x)
    assert out.shape == (2, 16, 10, 10)
    torch.testing.assert_close(out, gelu_conv_by_hand(block, x))


def test_rearrange_pool_block_is_space_to_depth_then_back_to_the_input_width():
    block = RearrangePoolBlock(32, 32)
    x = torch.randn(2, 32, 14, 14)
    out = block(x)
    assert out.shape == (2, 32, 7, 7)
    assert block.conv.model[0].in_channels == 128 and block.conv.model[0].out_channels == 32
    # channel 4c + 2·p1 + p2 holds pixel (2h + p1, 2w + p2) of input channel c
    stacked = block.rearrange(x)
    assert stacked.shape == (2, 128, 7, 7)
    assert stacked[1, 4 * 5 + 2 * 1 + 0, 3, 6].item() == x[1, 5, 7, 12].item()
    torch.testing.assert_close(out, gelu_conv_by_hand(block.conv, stacked))


def test_down_block_halves_the_image():
    block = DownBlock(16, 32, 8)
    x = torch.randn(2, 16, 28, 28)
    assert block(x).shape == (2, 32, 14, 14)
    h = gelu_conv_by_hand(block.model[1], gelu_conv_by_hand(block.model[0], x))
    torch.testing.assert_close(block(x), block.model[2](h))


def test_up_block_concatenates_then_upsamples_with_a_transposed_conv():
    block = UpBlock(128, 64, 32)
    up_conv = block.model[0]
    assert isinstance(up_conv, torch.nn.ConvTranspose2d)
    assert (up_conv.in_channels, up_conv.out_channels) == (256, 64)
    assert up_conv.kernel_size == (2, 2) and up_conv.stride == (2, 2)
    assert len(block.model) == 5 and all(isinstance(m, GELUConvBlock) for m in block.model[1:])
    x, skip = torch.randn(2, 128, 7, 7), torch.randn(2, 128, 7, 7)
    out = block(x, skip)
    assert out.shape == (2, 64, 14, 14)
    h = F.conv_transpose2d(torch.cat([x, skip], dim=1), up_conv.weight, up_conv.bias, stride=2)
    for gelu_block in block.model[1:]:
        h = gelu_conv_by_hand(gelu_block, h)
    torch.testing.assert_close(out, h)
    # (x, skip) in that order: swapping them changes the result
    assert not torch.allclose(block(skip, x), out)


def test_residual_conv_block_adds_the_first_convs_output_not_the_input():
    block = ResidualConvBlock(1, 8, 8)
    x = torch.randn(2, 1, 12, 12)
    x1 = gelu_conv_by_hand(block.conv1, x)
    out = block(x)
    assert out.shape == (2, 8, 12, 12)
    torch.testing.assert_close(out, x1 + gelu_conv_by_hand(block.conv2, x1))


def test_sinusoidal_frequencies_use_half_dim_minus_one():
    emb = SinusoidalPositionEmbedBlock(8)
    t = torch.tensor([0.0, 0.25, 1.0])
    out = emb(t)
    assert out.shape == (3, 8)
    half = 4
    for row, time in enumerate(t.tolist()):
        freqs = [10000 ** (-j / (half - 1)) for j in range(half)]
        expected = [math.sin(time * f) for f in freqs] + [math.cos(time * f) for f in freqs]
        torch.testing.assert_close(out[row], torch.tensor(expected), rtol=1e-5, atol=1e-6)
    # with half − 1 the slowest frequency is exactly 1/10000 (dividing by half would give 10000^(−3/4))
    tiny = emb(torch.tensor([1000.0]))
    assert tiny[0, 3].item() == pytest.approx(math.sin(0.1), rel=1e-4)


def test_sinusoidal_block_has_no_parameters_and_follows_its_input():
    assert list(SinusoidalPositionEmbedBlock(8).parameters()) == []
    assert SinusoidalPositionEmbedBlock(8)(torch.zeros(2, device="meta")).device.type == "meta"


def test_embed_block_maps_to_one_value_per_channel():
    block = EmbedBlock(8, 128)
    first, act, second = block.model[0], block.model[1], block.model[2]
    assert isinstance(act, torch.nn.GELU)
    x = torch.randn(3, 8)
    out = block(x)
    assert out.shape == (3, 128, 1, 1)
    expected = F.linear(F.gelu(F.linear(x, first.weight, first.bias)), second.weight, second.bias)
    torch.testing.assert_close(out, expected[:, :, None, None])
    # any layout with input_dim values per sample is flattened first, as the course's view(-1, input_dim) does
    torch.testing.assert_close(block(x.reshape(3, 1, 1, 1, 8)), out)
