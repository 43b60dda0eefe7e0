"""A U-Net built recursively: each level holds the next one inside it, down to the bottleneck."""

import math

import torch
from torch import nn

# dli-drill: include common/lesson_blocks SinusoidalPositionEmbedding TimestepMLPEmbedding ResidualBlock


class Level(nn.Module):
    """One level at c channels around ``inner``: residual block, space-to-depth and 1×1 down; the
    inner levels; then upsample, join the skip and a residual block back to c channels."""

    def __init__(self, c, inner, t_dim):
        super().__init__()
        self.encode = ResidualBlock(c, c, t_dim)
        self.down = nn.Sequential(nn.PixelUnshuffle(2), nn.Conv2d(4 * c, 2 * c, 1))
        self.inner = inner
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.decode = ResidualBlock(3 * c, c, t_dim)

    def forward(self, x, t_emb):
        skip = self.encode(x, t_emb)
        x = self.inner(self.down(skip), t_emb)
        return self.decode(torch.cat([self.up(x), skip], dim=1), t_emb)


class UNet(nn.Module):
    def __init__(self, in_channels=1, base_channels=64, time_emb_dim=128):
        super().__init__()
        b = base_channels
        t_dim = 4 * time_emb_dim
        self.time_embed = TimestepMLPEmbedding(time_emb_dim, t_dim)
        self.stem = nn.Conv2d(in_channels, b, 3, padding=1)
        core = ResidualBlock(8 * b, 8 * b, t_dim)
        self.levels = Level(b, Level(2 * b, Level(4 * b, core, t_dim), t_dim), t_dim)
        self.head = nn.Sequential(nn.GroupNorm(8, b), nn.GELU(), nn.Conv2d(b, in_channels, 1))

    def forward(self, x, timesteps):
        t_emb = self.time_embed(timesteps)
        return self.head(self.levels(self.stem(x), t_emb))
