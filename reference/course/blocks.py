"""The seven building blocks of the course's U-Net, under the course's names.

Attribute names and nesting follow the course, so a state_dict saved from the course's code loads
into these classes. Shapes: B batch, C channels, H×W spatial size.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from reference.unet import RearrangeDownsample


class GELUConvBlock(nn.Module):
    """3×3 conv (stride 1, padding 1) → GroupNorm(group_size) → GELU.

    (B, in_ch, H, W) -> (B, out_ch, H, W).
    """

    def __init__(self, in_ch: int, out_ch: int, group_size: int):
        super().__init__()
        self.model = nn.Sequential(
            nn.Conv2d(in_ch, out_ch, 3, 1, 1),
            nn.GroupNorm(group_size, out_ch),
            nn.GELU(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.model(x)
        return out


class RearrangePoolBlock(nn.Module):
    """Downsampling without loss: space-to-depth, then a GELUConvBlock back to the input width.

    b c (h 2) (w 2) -> b (c·4) h w, then 4·C -> C channels.
    (B, C, H, W) -> (B, C, H/2, W/2).
    """

    def __init__(self, in_chs: int, group_size: int):
        super().__init__()
        self.rearrange = RearrangeDownsample()
        self.conv = GELUConvBlock(4 * in_chs, in_chs, group_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.rearrange(x)  # (B, 4C, H/2, W/2)
        out: torch.Tensor = self.conv(x)
        return out


class DownBlock(nn.Module):
    """An encoder level: two GELUConvBlocks, then a RearrangePoolBlock.

    (B, in_chs, H, W) -> (B, out_chs, H/2, W/2).
    """

    def __init__(self, in_chs: int, out_chs: int, group_size: int):
        super().__init__()
        self.model = nn.Sequential(
            GELUConvBlock(in_chs, out_chs, group_size),
            GELUConvBlock(out_chs, out_chs, group_size),
            RearrangePoolBlock(out_chs, group_size),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.model(x)
        return out


class UpBlock(nn.Module):
    """A decoder level: concatenate (x, skip), upsample with a 2×2 stride-2 ConvTranspose2d, then four GELUConvBlocks.

    x, skip: (B, in_chs, H, W) each -> (B, out_chs, 2H, 2W).
    """

    def __init__(self, in_chs: int, out_chs: int, group_size: int):
        super().__init__()
        self.model = nn.Sequential(
            nn.ConvTranspose2d(2 * in_chs, out_chs, 2, 2),
            GELUConvBlock(out_chs, out_chs, group_size),
            GELUConvBlock(out_chs, out_chs, group_size),
            GELUConvBlock(out_chs, out_chs, group_size),
            GELUConvBlock(out_chs, out_chs, group_size),
        )

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = torch.cat((x, skip), 1)  # (B, 2·in_chs, H, W)
        out: torch.Tensor = self.model(x)
        return out


class SinusoidalPositionEmbedBlock(nn.Module):
    """Fixed sine and cosine features of a (scaled) time, no parameters.

    With half = dim // 2 and ω_j = exp(−j · ln(10000) / (half − 1)) for j = 0 … half−1
    (so ω runs from 1 down to exactly 1/10000):
        emb(t) = [sin(t·ω_0), …, sin(t·ω_{half−1}), cos(t·ω_0), …, cos(t·ω_{half−1})]
    The lessons divide by half instead of half − 1. Needs dim ≥ 4.
    time: (B,) -> (B, dim).
    """

    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim

    def forward(self, time: torch.Tensor) -> torch.Tensor:
        half_dim = self.dim // 2
        step = math.log(10000) / (half_dim - 1)
        freqs = torch.exp(torch.arange(half_dim, device=time.device, dtype=torch.float32) * -step)  # (half,)
        args = time[:, None] * freqs[None, :]  # (B, half)
        return torch.cat((args.sin(), args.cos()), dim=-1)  # (B, dim)


class EmbedBlock(nn.Module):
    """Map a vector (time features or context) to one value per channel: Linear → GELU → Linear, then reshape.

    x: anything with input_dim values per sample, e.g. (B, input_dim) -> (B, emb_dim, 1, 1),
    ready to broadcast over a feature map.
    """

    def __init__(self, input_dim: int, emb_dim: int):
        super().__init__()
        self.input_dim = input_dim
        self.model = nn.Sequential(
            nn.Linear(input_dim, emb_dim),
            nn.GELU(),
            nn.Linear(emb_dim, emb_dim),
            nn.Unflatten(1, (emb_dim, 1, 1)),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.reshape(-1, self.input_dim)  # (B, input_dim)
        out: torch.Tensor = self.model(x)
        return out


class ResidualConvBlock(nn.Module):
    """Two GELUConvBlocks whose outputs are summed: x1 = conv1(x), x2 = conv2(x1), out = x1 + x2.

    The skip starts at x1, not at the input, so in_chs and out_chs may differ.
    (B, in_chs, H, W) -> (B, out_chs, H, W).
    """

    def __init__(self, in_chs: int, out_chs: int, group_size: int):
        super().__init__()
        self.conv1 = GELUConvBlock(in_chs, out_chs, group_size)
        self.conv2 = GELUConvBlock(out_chs, out_chs, group_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x1: torch.Tensor = self.conv1(x)
        x2: torch.Tensor = self.conv2(x1)
        return x1 + x2
