"""The lesson's U-Net blocks, written once. Starters, solutions and alternatives include them
with ``# dli-drill: include common/lesson_blocks <Name> ...``; the docstrings are the task text
where a drill leaves a body for the learner."""

import math

import torch
from torch import nn


class SinusoidalPositionEmbedding(nn.Module):
    def __init__(self, embed_dim):
        super().__init__()
        self.embed_dim = embed_dim  # even

    def forward(self, timesteps):
        """Fixed sin/cos features of integer timesteps.

        timesteps: (B,) integer tensor.
        Return (B, embed_dim) float32 on the timesteps' device. With half = embed_dim // 2 and
        ω_i = 10000^(−i/half) for i = 0 … half−1, row b is
            [sin(t_b·ω_0), …, sin(t_b·ω_{half−1}), cos(t_b·ω_0), …, cos(t_b·ω_{half−1})]
        — all the sines first, then all the cosines (not interleaved).
        """
        half = self.embed_dim // 2
        exponent = torch.arange(half, device=timesteps.device).float() / half
        freqs = torch.exp(-math.log(10000.0) * exponent)  # (half,)
        args = timesteps[:, None].float() * freqs[None, :]  # (B, half)
        return torch.cat([torch.sin(args), torch.cos(args)], dim=-1)  # (B, embed_dim)


class TimestepMLPEmbedding(nn.Module):
    def __init__(self, embed_dim, hidden_dim=None):
        """The timestep embedding every block of the U-Net receives.

        Build `self.sinusoidal` (the class above, embed_dim wide) and `self.mlp`, an
        nn.Sequential of Linear(embed_dim, hidden_dim) → GELU → Linear(hidden_dim, hidden_dim).
        hidden_dim defaults to 4 × embed_dim. Keep the names: the grader loads fixed weights
        into `mlp`.
        """
        super().__init__()
        hidden_dim = hidden_dim or embed_dim * 4
        self.sinusoidal = SinusoidalPositionEmbedding(embed_dim)
        self.mlp = nn.Sequential(
            nn.Linear(embed_dim, hidden_dim),
            nn.GELU(),
            nn.Linear(hidden_dim, hidden_dim),
        )

    def forward(self, timesteps):
        """timesteps: (B,) integers. Return (B, hidden_dim): the MLP applied to the sinusoidal features."""
        return self.mlp(self.sinusoidal(timesteps))  # (B, hidden_dim)


class ResidualBlock(nn.Module):
    """Given, as in the lesson: conv → GroupNorm → (+ timestep) → GELU → conv → GroupNorm → GELU, plus a residual."""

    def __init__(self, in_channels, out_channels, time_emb_dim):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1)
        self.norm1 = nn.GroupNorm(8, out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1)
        self.norm2 = nn.GroupNorm(8, out_channels)
        self.act = nn.GELU()
        self.time_mlp = nn.Sequential(nn.GELU(), nn.Linear(time_emb_dim, out_channels))
        if in_channels != out_channels:
            self.residual_conv = nn.Conv2d(in_channels, out_channels, kernel_size=1)
        else:
            self.residual_conv = nn.Identity()

    def forward(self, x, t_emb):
        h = self.norm1(self.conv1(x))
        h = self.act(h + self.time_mlp(t_emb)[:, :, None, None])
        h = self.act(self.norm2(self.conv2(h)))
        return h + self.residual_conv(x)


class DownBlock(nn.Module):
    def __init__(self, in_channels, out_channels, time_emb_dim):
        """One encoder level of the U-Net.

        Build `self.res_block`, a ResidualBlock (above) from in_channels to out_channels. Keep
        that name: the grader loads fixed weights into it. The downsampling has no weights.
        """
        super().__init__()
        self.res_block = ResidualBlock(in_channels, out_channels, time_emb_dim)

    def downsample(self, x):
        b, c, h, w = x.shape
        x = x.reshape(b, c, h // 2, 2, w // 2, 2)
        return x.permute(0, 1, 3, 5, 2, 4).reshape(b, c * 4, h // 2, w // 2)

    def forward(self, x, t_emb):
        """x: (B, in_channels, H, W); t_emb: (B, time_emb_dim).

        Return (skip, down): skip is the residual block's output, (B, out_channels, H, W), kept
        for the decoder; down is skip after rearrange pooling (every 2×2 patch of channel c to
        channels 4c … 4c+3), (B, 4·out_channels, H/2, W/2).
        """
        skip = self.res_block(x, t_emb)  # (B, out_channels, H, W)
        return skip, self.downsample(skip)  # and (B, 4·out_channels, H/2, W/2)


class UpBlock(nn.Module):
    def __init__(self, in_channels, skip_channels, out_channels, time_emb_dim):
        """One decoder level of the U-Net.

        Build `self.upsample` (nearest-neighbour, ×2) and `self.res_block`, a ResidualBlock
        (above) that maps the concatenated channels to out_channels. Keep these two names: the
        grader loads fixed weights into `res_block`.
        """
        super().__init__()
        self.upsample = nn.Upsample(scale_factor=2, mode="nearest")
        # after the concatenation the block sees both inputs' channels
        self.res_block = ResidualBlock(in_channels + skip_channels, out_channels, time_emb_dim)

    def forward(self, x, skip, t_emb):
        """x: (B, in_channels, H, W) from the level below; skip: (B, skip_channels, 2H, 2W)
        from the encoder; t_emb: (B, time_emb_dim).

        Upsample x to the skip's size, concatenate [x, skip] along the channels (x first),
        and run the residual block. Return (B, out_channels, 2H, 2W).
        """
        x = self.upsample(x)
        x = torch.cat([x, skip], dim=1)
        return self.res_block(x, t_emb)
