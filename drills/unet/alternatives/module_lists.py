"""A loop-built U-Net: ModuleLists, pixel_unshuffle, and a head split into three layers."""

import math

import torch
import torch.nn.functional as F
from torch import nn

# dli-drill: include common/lesson_blocks SinusoidalPositionEmbedding TimestepMLPEmbedding ResidualBlock


class DownBlock(nn.Module):
    """ResidualBlock, then rearrange pooling; returns (skip, down)."""

    def __init__(self, in_channels, out_channels, time_emb_dim):
        super().__init__()
        self.res_block = ResidualBlock(in_channels, out_channels, time_emb_dim)

    def forward(self, x, t_emb):
        skip = self.res_block(x, t_emb)
        return skip, F.pixel_unshuffle(skip, 2)


class UpBlock(nn.Module):
    """Upsample ×2, concatenate [x, skip], then a ResidualBlock."""

    def __init__(self, in_channels, skip_channels, out_channels, time_emb_dim):
        super().__init__()
        self.upsample = nn.Upsample(scale_factor=2, mode="nearest")
        self.res_block = ResidualBlock(in_channels + skip_channels, out_channels, time_emb_dim)

    def forward(self, x, skip, t_emb):
        x = torch.cat([self.upsample(x), skip], dim=1)
        return self.res_block(x, t_emb)


class UNet(nn.Module):
    def __init__(self, in_channels=1, base_channels=64, time_emb_dim=128):
        super().__init__()
        t_dim = 4 * time_emb_dim
        widths = [base_channels * 2**i for i in range(4)]
        self.time_embed = TimestepMLPEmbedding(time_emb_dim, t_dim)
        self.init_conv = nn.Conv2d(in_channels, base_channels, 3, padding=1)
        self.downs = nn.ModuleList(DownBlock(c, c, t_dim) for c in widths[:3])
        self.projs = nn.ModuleList(nn.Conv2d(4 * c, 2 * c, 1) for c in widths[:3])
        self.bottleneck = ResidualBlock(widths[3], widths[3], t_dim)
        self.ups = nn.ModuleList(UpBlock(2 * c, c, c, t_dim) for c in reversed(widths[:3]))
        self.head_norm = nn.GroupNorm(8, base_channels)
        self.head_act = nn.GELU()
        self.head_conv = nn.Conv2d(base_channels, in_channels, 1)

    def forward(self, x, timesteps):
        t_emb = self.time_embed(timesteps)
        x = self.init_conv(x)
        skips = []
        for down, proj in zip(self.downs, self.projs):
            skip, x = down(x, t_emb)
            skips.append(skip)
            x = proj(x)
        x = self.bottleneck(x, t_emb)
        for up in self.ups:
            x = up(x, skips.pop(), t_emb)
        return self.head_conv(self.head_act(self.head_norm(x)))
