"""The U-Net: shape flows from the lesson, parameter count from layer formulas, and block behaviour."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from reference import (
    ConditionalUNet,
    DownBlock,
    ResidualBlock,
    SinusoidalPositionEmbedding,
    TimestepMLPEmbedding,
    UNet,
    UpBlock,
    parameter_count,
    rearrange_downsample,
    shape_flow,
)


@pytest.fixture(scope="module")
def lesson_unet() -> UNet:
    torch.manual_seed(0)
    return UNet().eval()


def flow_names(levels: int) -> list[str]:
    names = ["init_conv"]
    for i in range(1, levels + 1):
        names += [f"down{i}.res_block", f"down{i}.downsample", f"down{i}_proj"]
    names.append("bottleneck")
    for i in range(levels, 0, -1):
        names += [f"up{i}.upsample", f"up{i}.concat", f"up{i}.res_block"]
    return [*names, "final_conv"]


# The lesson's "Tensor Shape Flow" table for base_channels=64 on a 64×64 input, with B = 1.
LESSON_64_FLOW = [
    ("init_conv", (1, 64, 64, 64)),
    ("down1.res_block", (1, 64, 64, 64)),
    ("down1.downsample", (1, 256, 32, 32)),
    ("down1_proj", (1, 128, 32, 32)),
    ("down2.res_block", (1, 128, 32, 32)),
    ("down2.downsample", (1, 512, 16, 16)),
    ("down2_proj", (1, 256, 16, 16)),
    ("down3.res_block", (1, 256, 16, 16)),
    ("down3.downsample", (1, 1024, 8, 8)),
    ("down3_proj", (1, 512, 8, 8)),
    ("bottleneck", (1, 512, 8, 8)),
    ("up3.upsample", (1, 512, 16, 16)),
    ("up3.concat", (1, 768, 16, 16)),
    ("up3.res_block", (1, 256, 16, 16)),
    ("up2.upsample", (1, 256, 32, 32)),
    ("up2.concat", (1, 384, 32, 32)),
    ("up2.res_block", (1, 128, 32, 32)),
    ("up1.upsample", (1, 128, 64, 64)),
    ("up1.concat", (1, 192, 64, 64)),
    ("up1.res_block", (1, 64, 64, 64)),
    ("final_conv", (1, 1, 64, 64)),
]

# The U-Net lesson's Q3 answer: in_channels=1, base_channels=32, 2 levels, 32×32 input, with B = 2.
LESSON_Q3_FLOW = [
    ("init_conv", (2, 32, 32, 32)),
    ("down1.res_block", (2, 32, 32, 32)),
    ("down1.downsample", (2, 128, 16, 16)),
    ("down1_proj", (2, 64, 16, 16)),
    ("down2.res_block", (2, 64, 16, 16)),
    ("down2.downsample", (2, 256, 8, 8)),
    ("down2_proj", (2, 128, 8, 8)),
    ("bottleneck", (2, 128, 8, 8)),
    ("up2.upsample", (2, 128, 16, 16)),
    ("up2.concat", (2, 192, 16, 16)),
    ("up2.res_block", (2, 64, 16, 16)),
    ("up1.upsample", (2, 64, 32, 32)),
    ("up1.concat", (2, 96, 32, 32)),
    ("up1.res_block", (2, 32, 32, 32)),
    ("final_conv", (2, 1, 32, 32)),
]


def test_lesson_shape_flow_64x64(lesson_unet):
    flow = shape_flow(lesson_unet, torch.randn(1, 1, 64, 64), torch.tensor([10]), names=flow_names(3))
    assert [(step.name, step.shapes) for step in flow] == [(name, (shape,)) for name, shape in LESSON_64_FLOW]


def test_lesson_q3_shape_flow():
    model = UNet(in_channels=1, base_channels=32, levels=2).eval()
    flow = shape_flow(model, torch.randn(2, 1, 32, 32), torch.tensor([3, 700]), names=flow_names(2))
    assert [(step.name, step.shapes) for step in flow] == [(name, (shape,)) for name, shape in LESSON_Q3_FLOW]


def test_down_block_flow_reports_skip_and_down():
    model = UNet(in_channels=1, base_channels=32, levels=2).eval()
    flow = shape_flow(model, torch.randn(2, 1, 32, 32), torch.tensor([3, 700]), names=["down1", "down2"])
    assert [(s.name, s.shapes) for s in flow] == [
        ("down1", ((2, 32, 32, 32), (2, 128, 16, 16))),
        ("down2", ((2, 64, 16, 16), (2, 256, 8, 8))),
    ]


def test_shape_flow_on_toy_models_repeats_modules_and_removes_hooks():
    model = nn.Sequential(nn.Conv2d(3, 4, 1), nn.ReLU(), nn.Flatten())
    flow = shape_flow(model, torch.randn(2, 3, 5, 5))
    assert [(s.name, s.shapes) for s in flow] == [("0", ((2, 4, 5, 5),)), ("1", ((2, 4, 5, 5),)), ("2", ((2, 100),))]

    conv = nn.Conv2d(3, 3, 1)
    shared = nn.Sequential(conv, nn.ReLU(), conv)
    flow = shape_flow(shared, torch.randn(2, 3, 5, 5), names=["0"])
    assert [s.name for s in flow] == ["0", "0"]  # one module used twice appears twice
    assert not conv._forward_hooks


# Parameter counts from layer formulas, independent of the reference's own counting.
def conv_params(k: int, c_in: int, c_out: int) -> int:
    return k * k * c_in * c_out + c_out


def gn_params(c: int) -> int:
    return 2 * c


def linear_params(n_in: int, n_out: int) -> int:
    return n_in * n_out + n_out


def res_block_params(c_in: int, c_out: int, t_dim: int) -> int:
    total = conv_params(3, c_in, c_out) + gn_params(c_out) + conv_params(3, c_out, c_out) + gn_params(c_out)
    total += linear_params(t_dim, c_out)
    if c_in != c_out:
        total += conv_params(1, c_in, c_out)
    return total


def unet_params(in_channels: int = 1, base: int = 64, time_emb_dim: int = 128, levels: int = 3) -> int:
    t_dim = 4 * time_emb_dim
    total = linear_params(time_emb_dim, t_dim) + linear_params(t_dim, t_dim)
    total += conv_params(3, in_channels, base)
    for i in range(levels):
        c = base * 2**i
        total += res_block_params(c, c, t_dim) + conv_params(1, 4 * c, 2 * c)
    c_bottom = base * 2**levels
    total += res_block_params(c_bottom, c_bottom, t_dim)
    for i in range(levels):
        c = base * 2**i
        total += res_block_params(2 * c + c, c, t_dim)
    total += gn_params(base) + conv_params(1, base, in_channels)
    return total


def test_parameter_count_of_the_lesson_unet(lesson_unet):
    assert unet_params() == 11_371_265
    assert parameter_count(lesson_unet) == 11_371_265
    assert sum(p.numel() for p in lesson_unet.parameters()) == 11_371_265


@pytest.mark.parametrize(
    ("in_channels", "base", "time_emb_dim", "levels"), [(1, 32, 128, 2), (3, 16, 32, 3), (1, 8, 16, 1)]
)
def test_parameter_count_matches_formula_for_other_configs(in_channels, base, time_emb_dim, levels):
    model = UNet(in_channels=in_channels, base_channels=base, time_emb_dim=time_emb_dim, levels=levels)
    assert parameter_count(model) == unet_params(in_channels, base, time_emb_dim, levels)


def test_conditional_unet_adds_one_embedding_row_per_class_plus_null():
    model = ConditionalUNet(10, base_channels=8, time_emb_dim=16, levels=1)
    assert parameter_count(model) == unet_params(1, 8, 16, 1) + 11 * 64
    assert model.class_embed.num_embeddings == 11


def test_state_dict_uses_the_lessons_names(lesson_unet):
    keys = set(lesson_unet.state_dict())
    expected = {
        "time_embed.mlp.0.weight",
        "time_embed.mlp.2.weight",
        "init_conv.weight",
        "init_conv.bias",
        "down1.res_block.conv1.weight",
        "down1.res_block.norm1.weight",
        "down1.res_block.conv2.weight",
        "down1.res_block.norm2.bias",
        "down1.res_block.time_mlp.1.weight",
        "down1_proj.weight",
        "down2_proj.weight",
        "down3_proj.weight",
        "bottleneck.conv1.weight",
        "bottleneck.time_mlp.1.bias",
        "up3.res_block.conv1.weight",
        "up3.res_block.residual_conv.weight",
        "up1.res_block.residual_conv.bias",
        "final_conv.0.weight",
        "final_conv.2.weight",
    }
    assert expected <= keys
    # equal in/out channels use an identity residual, which has no parameters
    assert not any(k.startswith(("down1.res_block.residual_conv", "bottleneck.residual_conv")) for k in keys)
    assert not any("upsample" in k or "downsample" in k or "concat" in k for k in keys)


# The lesson's own code for ResidualBlock and the 3-level UNet, transcribed, to load the reference's weights into.
class LessonResidualBlock(nn.Module):
    def __init__(self, in_channels, out_channels, time_emb_dim):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1)
        self.norm1 = nn.GroupNorm(num_groups=8, num_channels=out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1)
        self.norm2 = nn.GroupNorm(num_groups=8, num_channels=out_channels)
        self.act = nn.GELU()
        self.time_mlp = nn.Sequential(nn.GELU(), nn.Linear(time_emb_dim, out_channels))
        if in_channels != out_channels:
            self.residual_conv = nn.Conv2d(in_channels, out_channels, kernel_size=1)
        else:
            self.residual_conv = nn.Identity()

    def forward(self, x, t_emb):
        residual = self.residual_conv(x)
        h = self.norm1(self.conv1(x))
        h = h + self.time_mlp(t_emb)[:, :, None, None]
        h = self.act(h)
        h = self.act(self.norm2(self.conv2(h)))
        return h + residual


class LessonDownBlock(nn.Module):
    def __init__(self, in_channels, out_channels, time_emb_dim):
        super().__init__()
        self.res_block = LessonResidualBlock(in_channels, out_channels, time_emb_dim)

    def downsample(self, x):
        B, C, H, W = x.shape
        x = x.reshape(B, C, H // 2, 2, W // 2, 2)
        return x.permute(0, 1, 3, 5, 2, 4).reshape(B, C * 4, H // 2, W // 2)

    def forward(self, x, t_emb):
        skip = self.res_block(x, t_emb)
        return skip, self.downsample(skip)


class LessonUpBlock(nn.Module):
    def __init__(self, in_channels, skip_channels, out_channels, time_emb_dim):
        super().__init__()
        self.res_block = LessonResidualBlock(in_channels + skip_channels, out_channels, time_emb_dim)
        self.upsample = nn.Upsample(scale_factor=2, mode="nearest")

    def forward(self, x, skip, t_emb):
        return self.res_block(torch.cat([self.upsample(x), skip], dim=1), t_emb)


class LessonSinusoidal(nn.Module):
    def __init__(self, embed_dim):
        super().__init__()
        self.embed_dim = embed_dim

    def forward(self, timesteps):
        half_dim = self.embed_dim // 2
        exponent = torch.arange(half_dim).float() / half_dim
        freqs = torch.exp(-math.log(10000.0) * exponent)
        args = timesteps[:, None].float() * freqs[None, :]
        return torch.cat([torch.sin(args), torch.cos(args)], dim=-1)


class LessonTimeEmbed(nn.Module):
    def __init__(self, embed_dim, hidden_dim):
        super().__init__()
        self.sinusoidal = LessonSinusoidal(embed_dim)
        self.mlp = nn.Sequential(nn.Linear(embed_dim, hidden_dim), nn.GELU(), nn.Linear(hidden_dim, hidden_dim))

    def forward(self, timesteps):
        return self.mlp(self.sinusoidal(timesteps))


class LessonUNet(nn.Module):
    def __init__(self, in_channels=1, base_channels=64, time_emb_dim=128):
        super().__init__()
        b = base_channels
        self.time_embed = LessonTimeEmbed(time_emb_dim, time_emb_dim * 4)
        t_dim = time_emb_dim * 4
        self.init_conv = nn.Conv2d(in_channels, b, kernel_size=3, padding=1)
        self.down1 = LessonDownBlock(b, b, t_dim)
        self.down1_proj = nn.Conv2d(b * 4, b * 2, kernel_size=1)
        self.down2 = LessonDownBlock(b * 2, b * 2, t_dim)
        self.down2_proj = nn.Conv2d(b * 8, b * 4, kernel_size=1)
        self.down3 = LessonDownBlock(b * 4, b * 4, t_dim)
        self.down3_proj = nn.Conv2d(b * 16, b * 8, kernel_size=1)
        self.bottleneck = LessonResidualBlock(b * 8, b * 8, t_dim)
        self.up3 = LessonUpBlock(b * 8, b * 4, b * 4, t_dim)
        self.up2 = LessonUpBlock(b * 4, b * 2, b * 2, t_dim)
        self.up1 = LessonUpBlock(b * 2, b, b, t_dim)
        self.final_conv = nn.Sequential(nn.GroupNorm(8, b), nn.GELU(), nn.Conv2d(b, in_channels, kernel_size=1))

    def forward(self, x, timesteps):
        t_emb = self.time_embed(timesteps)
        x = self.init_conv(x)
        skip1, x = self.down1(x, t_emb)
        x = self.down1_proj(x)
        skip2, x = self.down2(x, t_emb)
        x = self.down2_proj(x)
        skip3, x = self.down3(x, t_emb)
        x = self.down3_proj(x)
        x = self.bottleneck(x, t_emb)
        x = self.up3(x, skip3, t_emb)
        x = self.up2(x, skip2, t_emb)
        x = self.up1(x, skip1, t_emb)
        return self.final_conv(x)


def test_lesson_unet_loads_reference_weights_and_agrees():
    torch.manual_seed(0)
    ref = UNet(in_channels=1, base_channels=8, time_emb_dim=16).eval()
    lesson = LessonUNet(in_channels=1, base_channels=8, time_emb_dim=16).eval()
    lesson.load_state_dict(ref.state_dict(), strict=True)
    x = torch.randn(2, 1, 16, 16)
    t = torch.tensor([4, 917])
    with torch.no_grad():
        torch.testing.assert_close(ref(x, t), lesson(x, t), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(("c_in", "c_out"), [(16, 16), (8, 16)])
def test_residual_block_agrees_with_the_lessons_forward(c_in, c_out):
    torch.manual_seed(1)
    ref = ResidualBlock(c_in, c_out, 12)
    lesson = LessonResidualBlock(c_in, c_out, 12)
    lesson.load_state_dict(ref.state_dict(), strict=True)
    x, t_emb = torch.randn(2, c_in, 6, 6), torch.randn(2, 12)
    torch.testing.assert_close(ref(x, t_emb), lesson(x, t_emb))


def test_residual_block_output_depends_on_timestep():
    torch.manual_seed(2)
    block = ResidualBlock(8, 8, 12)
    x = torch.randn(1, 8, 6, 6)
    a = block(x, torch.randn(1, 12))
    b = block(x, torch.randn(1, 12))
    assert (a - b).abs().max().item() > 1e-3


def test_residual_block_identity_residual_when_channels_match():
    torch.manual_seed(3)
    block = ResidualBlock(8, 8, 12)
    assert isinstance(block.residual_conv, nn.Identity)
    assert parameter_count(block.residual_conv) == 0
    # With conv2 zeroed, GN2 of zeros is zero and GELU(0) = 0, so only the residual path is left.
    with torch.no_grad():
        block.conv2.weight.zero_()
        block.conv2.bias.zero_()
    x = torch.randn(2, 8, 5, 5)
    torch.testing.assert_close(block(x, torch.randn(2, 12)), x)


def test_residual_block_projects_residual_when_channels_differ():
    torch.manual_seed(4)
    block = ResidualBlock(8, 16, 12)
    assert isinstance(block.residual_conv, nn.Conv2d) and block.residual_conv.kernel_size == (1, 1)
    with torch.no_grad():
        block.conv2.weight.zero_()
        block.conv2.bias.zero_()
    x = torch.randn(2, 8, 5, 5)
    out = block(x, torch.randn(2, 12))
    assert out.shape == (2, 16, 5, 5)
    torch.testing.assert_close(out, block.residual_conv(x))


def test_residual_block_has_the_contract_attributes():
    block = ResidualBlock(8, 16, 12)
    for name in ("conv1", "norm1", "conv2", "norm2", "act", "time_mlp", "residual_conv"):
        assert hasattr(block, name), name
    assert block.norm1.num_groups == 8 and isinstance(block.act, nn.GELU)


@pytest.mark.parametrize("dim", [16, 128])
def test_sinusoidal_embedding_against_hand_formula(dim):
    t = torch.tensor([0, 1, 7, 500, 999])
    emb = SinusoidalPositionEmbedding(dim)(t)
    assert emb.shape == (5, dim) and emb.dtype == torch.float32
    half = dim // 2
    for row, ti in enumerate(t.tolist()):
        for i in range(half):
            omega = 10000.0 ** (-i / half)
            # float32 arguments up to ~1000 rad carry ~1e-4 of absolute error
            assert emb[row, i].item() == pytest.approx(math.sin(ti * omega), abs=2e-4)
            assert emb[row, half + i].item() == pytest.approx(math.cos(ti * omega), abs=2e-4)
    assert torch.equal(emb[0, :half], torch.zeros(half))
    assert torch.equal(emb[0, half:], torch.ones(half))
    assert parameter_count(SinusoidalPositionEmbedding(dim)) == 0


def test_timestep_mlp_embedding_widths():
    t = torch.tensor([1, 2, 3])
    assert TimestepMLPEmbedding(16)(t).shape == (3, 64)
    assert TimestepMLPEmbedding(16, hidden_dim=40)(t).shape == (3, 40)


def lesson_rearrange(x: torch.Tensor) -> torch.Tensor:
    B, C, H, W = x.shape
    x = x.reshape(B, C, H // 2, 2, W // 2, 2)
    return x.permute(0, 1, 3, 5, 2, 4).reshape(B, C * 4, H // 2, W // 2)


def test_rearrange_downsample_matches_reshape_permute_and_pixel_unshuffle():
    x = torch.randn(2, 3, 8, 6)
    out = rearrange_downsample(x)
    assert out.shape == (2, 12, 4, 3)
    assert torch.equal(out, lesson_rearrange(x))
    assert torch.equal(out, F.pixel_unshuffle(x, 2))
    assert torch.equal(F.pixel_shuffle(out, 2), x)  # lossless


def test_rearrange_downsample_channel_layout():
    x = torch.arange(2 * 4 * 4, dtype=torch.float32).reshape(1, 2, 4, 4)
    out = rearrange_downsample(x)
    for c in range(2):
        for p1 in range(2):
            for p2 in range(2):
                for h in range(2):
                    for w in range(2):
                        assert out[0, 4 * c + 2 * p1 + p2, h, w] == x[0, c, 2 * h + p1, 2 * w + p2]


def test_down_block_returns_skip_and_its_rearrangement():
    torch.manual_seed(5)
    block = DownBlock(8, 16, 12)
    x, t_emb = torch.randn(2, 8, 8, 8), torch.randn(2, 12)
    skip, down = block(x, t_emb)
    assert skip.shape == (2, 16, 8, 8) and down.shape == (2, 64, 4, 4)
    torch.testing.assert_close(skip, block.res_block(x, t_emb))
    assert torch.equal(down, lesson_rearrange(skip))


def test_up_block_concatenates_x_then_skip():
    torch.manual_seed(6)
    block = UpBlock(16, 8, 8, 12)
    assert block.res_block.conv1.in_channels == 24
    x, skip, t_emb = torch.randn(2, 16, 4, 4), torch.randn(2, 8, 8, 8), torch.randn(2, 12)
    up = F.interpolate(x, scale_factor=2, mode="nearest")
    out = block(x, skip, t_emb)
    torch.testing.assert_close(out, block.res_block(torch.cat([up, skip], dim=1), t_emb))
    assert not torch.allclose(out, block.res_block(torch.cat([skip, up], dim=1), t_emb))


def small_unet(**kwargs) -> UNet:
    torch.manual_seed(7)
    return UNet(in_channels=1, base_channels=8, time_emb_dim=16, levels=2, **kwargs).eval()


def test_unet_output_shape_and_timestep_dependence():
    model = small_unet()
    x = torch.randn(2, 1, 16, 16)
    with torch.no_grad():
        a = model(x, torch.tensor([0, 0]))
        b = model(x, torch.tensor([500, 500]))
    assert a.shape == x.shape
    assert (a - b).abs().max().item() > 1e-4


def test_unet_handles_rgb_input():
    torch.manual_seed(8)
    model = UNet(in_channels=3, base_channels=8, time_emb_dim=8, levels=1).eval()
    with torch.no_grad():
        assert model(torch.randn(1, 3, 8, 8), torch.tensor([1])).shape == (1, 3, 8, 8)


def test_conditional_unet_depends_on_label_and_accepts_null_class():
    torch.manual_seed(9)
    model = ConditionalUNet(num_classes=5, base_channels=8, time_emb_dim=16, levels=2).eval()
    x = torch.randn(1, 1, 16, 16)
    t = torch.tensor([100])
    with torch.no_grad():
        outs = [model(x, t, torch.tensor([label])) for label in (0, 3, 5)]  # 5 is the null class
        assert all(o.shape == x.shape for o in outs)
        assert (outs[0] - outs[1]).abs().max().item() > 1e-4
        assert (outs[0] - outs[2]).abs().max().item() > 1e-4
        with pytest.raises(IndexError):
            model(x, t, torch.tensor([6]))
    keys = set(model.state_dict())
    assert "class_embed.weight" in keys and "down1.res_block.conv1.weight" in keys
