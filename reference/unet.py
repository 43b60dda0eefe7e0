"""The lesson's U-Net noise predictor, block by block.

Shape conventions: B batch, C channels, H×W spatial size, D embedding width.
"""

from __future__ import annotations

import math

import torch
from einops import rearrange
from torch import nn


class SinusoidalPositionEmbedding(nn.Module):
    """Fixed sinusoidal features of an integer timestep (no parameters).

    With half = D/2 and ω_i = 10000^(−i/half) for i = 0 … half−1:
        emb(t) = [sin(t·ω_0), …, sin(t·ω_{half−1}), cos(t·ω_0), …, cos(t·ω_{half−1})]
    (all sines first, then all cosines).
    """

    def __init__(self, embed_dim: int):
        super().__init__()
        self.embed_dim = embed_dim

    def forward(self, timesteps: torch.Tensor) -> torch.Tensor:
        half = self.embed_dim // 2
        exponent = torch.arange(half, device=timesteps.device, dtype=torch.float32) / half
        freqs = torch.exp(-math.log(10000.0) * exponent)  # (half,)
        args = timesteps.float()[:, None] * freqs[None, :]  # (B, half)
        return torch.cat([torch.sin(args), torch.cos(args)], dim=-1)  # (B, D)


class TimestepMLPEmbedding(nn.Module):
    """Sinusoidal features followed by Linear → GELU → Linear, widening D to hidden_dim (4·D by default)."""

    def __init__(self, embed_dim: int, hidden_dim: int | None = None):
        super().__init__()
        hidden_dim = hidden_dim or embed_dim * 4
        self.sinusoidal = SinusoidalPositionEmbedding(embed_dim)
        self.mlp = nn.Sequential(nn.Linear(embed_dim, hidden_dim), nn.GELU(), nn.Linear(hidden_dim, hidden_dim))

    def forward(self, timesteps: torch.Tensor) -> torch.Tensor:
        embedded: torch.Tensor = self.mlp(self.sinusoidal(timesteps))  # (B, hidden_dim)
        return embedded


def rearrange_downsample(x: torch.Tensor) -> torch.Tensor:
    """Space-to-depth: every 2×2 patch becomes 4 channels, so nothing is thrown away.

    (B, C, H, W) -> (B, 4C, H/2, W/2); output channel 4c + 2·p1 + p2 holds input channel c at
    offset (p1, p2) of its patch.
    """
    return rearrange(x, "b c (h p1) (w p2) -> b (c p1 p2) h w", p1=2, p2=2)


class RearrangeDownsample(nn.Module):
    """``rearrange_downsample`` as a module, so that hooks see it as a stage of the shape flow."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return rearrange_downsample(x)


class SkipConcat(nn.Module):
    """Channel-wise concatenation ``[x, skip]``, as a module so that hooks see it."""

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        return torch.cat([x, skip], dim=1)  # (B, C_x + C_skip, H, W)


class ResidualBlock(nn.Module):
    """Two 3×3 conv layers with GroupNorm and GELU, a timestep injection and a residual path.

    h = GELU(GN1(conv1(x)) + Linear(GELU(t_emb)))
    out = GELU(GN2(conv2(h))) + residual_conv(x)
    The timestep is added after the first norm and before its activation, one value per channel.
    """

    def __init__(self, in_channels: int, out_channels: int, time_emb_dim: int):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1)
        self.norm1 = nn.GroupNorm(num_groups=8, num_channels=out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1)
        self.norm2 = nn.GroupNorm(num_groups=8, num_channels=out_channels)
        self.act = nn.GELU()
        self.time_mlp = nn.Sequential(nn.GELU(), nn.Linear(time_emb_dim, out_channels))
        self.residual_conv = (
            nn.Conv2d(in_channels, out_channels, kernel_size=1) if in_channels != out_channels else nn.Identity()
        )

    def forward(self, x: torch.Tensor, t_emb: torch.Tensor) -> torch.Tensor:
        residual: torch.Tensor = self.residual_conv(x)  # (B, C_out, H, W)
        h: torch.Tensor = self.norm1(self.conv1(x))  # (B, C_out, H, W)
        h = self.act(h + self.time_mlp(t_emb)[:, :, None, None])  # t: (B, C_out) -> (B, C_out, 1, 1)
        h = self.act(self.norm2(self.conv2(h)))
        return h + residual


class DownBlock(nn.Module):
    """Encoder level: a ResidualBlock whose output is kept as the skip, then space-to-depth.

    Returns ``(skip, down)``: (B, C_out, H, W) and (B, 4·C_out, H/2, W/2).
    """

    def __init__(self, in_channels: int, out_channels: int, time_emb_dim: int):
        super().__init__()
        self.res_block = ResidualBlock(in_channels, out_channels, time_emb_dim)
        self.downsample = RearrangeDownsample()

    def forward(self, x: torch.Tensor, t_emb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        skip = self.res_block(x, t_emb)
        return skip, self.downsample(skip)


class UpBlock(nn.Module):
    """Decoder level: nearest 2× upsampling, concatenation ``[x, skip]``, then a ResidualBlock.

    x: (B, C_in, H, W), skip: (B, C_skip, 2H, 2W)  ->  (B, C_out, 2H, 2W).
    """

    def __init__(self, in_channels: int, skip_channels: int, out_channels: int, time_emb_dim: int):
        super().__init__()
        self.res_block = ResidualBlock(in_channels + skip_channels, out_channels, time_emb_dim)
        self.upsample = nn.Upsample(scale_factor=2, mode="nearest")
        self.concat = SkipConcat()

    def forward(self, x: torch.Tensor, skip: torch.Tensor, t_emb: torch.Tensor) -> torch.Tensor:
        x = self.concat(self.upsample(x), skip)  # (B, C_in + C_skip, 2H, 2W)
        out: torch.Tensor = self.res_block(x, t_emb)  # (B, C_out, 2H, 2W)
        return out


class UNet(nn.Module):
    """The lesson's U-Net: ``levels`` encoder levels, a bottleneck and a mirrored decoder.

    Level i (1-based) works at C_i = base·2^(i−1) channels. After its space-to-depth (4·C_i
    channels), a 1×1 ``down{i}_proj`` reduces to C_{i+1} = 2·C_i. The bottleneck keeps
    C_{levels+1}; ``up{i}`` upsamples C_{i+1}, concatenates the skip C_i and returns C_i.
    With the defaults (3 levels, base 64, 64×64 input) this is the lesson's 11,371,265-parameter model.
    The image side must be divisible by 2^levels.
    """

    def __init__(self, in_channels: int = 1, base_channels: int = 64, time_emb_dim: int = 128, levels: int = 3):
        super().__init__()
        self.levels = levels
        t_dim = time_emb_dim * 4
        channels = [base_channels * 2**i for i in range(levels + 1)]  # C_1 … C_{levels+1}
        self.time_embed = TimestepMLPEmbedding(time_emb_dim, t_dim)
        self.init_conv = nn.Conv2d(in_channels, base_channels, kernel_size=3, padding=1)
        for i in range(1, levels + 1):
            c = channels[i - 1]
            setattr(self, f"down{i}", DownBlock(c, c, t_dim))
            setattr(self, f"down{i}_proj", nn.Conv2d(4 * c, channels[i], kernel_size=1))
        self.bottleneck = ResidualBlock(channels[levels], channels[levels], t_dim)
        for i in range(levels, 0, -1):
            setattr(self, f"up{i}", UpBlock(channels[i], channels[i - 1], channels[i - 1], t_dim))
        self.final_conv = nn.Sequential(
            nn.GroupNorm(8, base_channels), nn.GELU(), nn.Conv2d(base_channels, in_channels, kernel_size=1)
        )

    def embed(self, timesteps: torch.Tensor) -> torch.Tensor:
        """The conditioning vector that every ResidualBlock receives: (B, 4·time_emb_dim)."""
        t_emb: torch.Tensor = self.time_embed(timesteps)
        return t_emb

    def forward(self, x: torch.Tensor, timesteps: torch.Tensor) -> torch.Tensor:
        return self.denoise(x, self.embed(timesteps))

    def denoise(self, x: torch.Tensor, t_emb: torch.Tensor) -> torch.Tensor:
        x = self.init_conv(x)  # (B, C_1, H, W)
        skips = []
        for i in range(1, self.levels + 1):
            skip, x = getattr(self, f"down{i}")(x, t_emb)  # x: (B, 4·C_i, H/2^i, W/2^i)
            skips.append(skip)
            x = getattr(self, f"down{i}_proj")(x)  # (B, C_{i+1}, H/2^i, W/2^i)
        x = self.bottleneck(x, t_emb)
        for i in range(self.levels, 0, -1):
            x = getattr(self, f"up{i}")(x, skips.pop(), t_emb)  # (B, C_i, H/2^(i−1), W/2^(i−1))
        out: torch.Tensor = self.final_conv(x)  # (B, in_channels, H, W)
        return out


class ConditionalUNet(UNet):
    """A class-conditional U-Net for classifier-free guidance.

    A learned class embedding, with one extra row for the null class ``num_classes``, is added
    to the timestep embedding, so every ResidualBlock sees both.
    """

    def __init__(
        self,
        num_classes: int,
        in_channels: int = 1,
        base_channels: int = 64,
        time_emb_dim: int = 128,
        levels: int = 3,
    ):
        super().__init__(in_channels, base_channels, time_emb_dim, levels)
        self.num_classes = num_classes
        self.class_embed = nn.Embedding(num_classes + 1, time_emb_dim * 4)

    # It needs the labels the unconditional U-Net's forward does not take: not a drop-in substitute.
    def forward(self, x: torch.Tensor, timesteps: torch.Tensor, class_labels: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return self.denoise(x, self.embed(timesteps) + self.class_embed(class_labels))
