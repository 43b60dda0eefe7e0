import math

import torch
from torch import nn


class SinusoidalPositionEmbedding(nn.Module):
    def __init__(self, embed_dim):
        super().__init__()
        self.embed_dim = embed_dim

    def forward(self, timesteps):
        half = self.embed_dim // 2
        exponent = torch.arange(half, device=timesteps.device).float() / half
        freqs = torch.exp(-math.log(10000.0) * exponent)
        args = timesteps[:, None].float() * freqs[None, :]
        return torch.cat([torch.sin(args), torch.cos(args)], dim=-1)  # (B, embed_dim)


class TimestepMLPEmbedding(nn.Module):
    def __init__(self, embed_dim, hidden_dim=None):
        super().__init__()
        hidden_dim = hidden_dim or embed_dim * 4
        self.sinusoidal = SinusoidalPositionEmbedding(embed_dim)
        self.mlp = nn.Sequential(nn.Linear(embed_dim, hidden_dim), nn.GELU(), nn.Linear(hidden_dim, hidden_dim))

    def forward(self, timesteps):
        return self.mlp(self.sinusoidal(timesteps))  # (B, hidden_dim)


class ResidualBlock(nn.Module):
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
    """ResidualBlock, then rearrange pooling; returns (skip, down)."""

    def __init__(self, in_channels, out_channels, time_emb_dim):
        super().__init__()
        self.res_block = ResidualBlock(in_channels, out_channels, time_emb_dim)

    def downsample(self, x):
        b, c, h, w = x.shape
        x = x.reshape(b, c, h // 2, 2, w // 2, 2)
        return x.permute(0, 1, 3, 5, 2, 4).reshape(b, c * 4, h // 2, w // 2)

    def forward(self, x, t_emb):
        skip = self.res_block(x, t_emb)  # (B, out_channels, H, W)
        return skip, self.downsample(skip)  # (B, 4·out_channels, H/2, W/2)


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
    """Encoder and decoder as lists of ResidualBlocks; one PixelUnshuffle serves every level."""

    def __init__(self, in_channels=1, base_channels=64, time_emb_dim=128):
        super().__init__()
        t_dim = 4 * time_emb_dim
        widths = [base_channels, 2 * base_channels, 4 * base_channels]
        self.time_embed = TimestepMLPEmbedding(time_emb_dim, t_dim)
        self.stem = nn.Conv2d(in_channels, base_channels, kernel_size=3, padding=1)
        self.enc_blocks = nn.ModuleList([ResidualBlock(c, c, t_dim) for c in widths])
        self.projections = nn.ModuleList([nn.Conv2d(4 * c, 2 * c, kernel_size=1) for c in widths])
        self.space_to_depth = nn.PixelUnshuffle(2)
        self.mid = ResidualBlock(8 * base_channels, 8 * base_channels, t_dim)
        self.upsample = nn.Upsample(scale_factor=2, mode="nearest")
        # decoder from the deepest level up: input 2c from below plus the skip c
        self.dec_blocks = nn.ModuleList([ResidualBlock(3 * c, c, t_dim) for c in reversed(widths)])
        self.out = nn.Sequential(
            nn.GroupNorm(8, base_channels), nn.GELU(), nn.Conv2d(base_channels, in_channels, kernel_size=1)
        )

    def forward(self, x, timesteps):
        t_emb = self.time_embed(timesteps)
        h = self.stem(x)
        skips = []
        for block, proj in zip(self.enc_blocks, self.projections):
            h = block(h, t_emb)
            skips.append(h)
            h = proj(self.space_to_depth(h))  # (B, 2c, H/2, W/2)
        h = self.mid(h, t_emb)
        for block, skip in zip(self.dec_blocks, reversed(skips)):
            h = block(torch.cat([self.upsample(h), skip], dim=1), t_emb)
        return self.out(h)
