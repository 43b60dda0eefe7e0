import math

import torch
from torch import nn
from einops.layers.torch import Rearrange


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
        self.downsample = Rearrange("b c (h p1) (w p2) -> b (c p1 p2) h w", p1=2, p2=2)

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
    def __init__(self, in_channels=1, base_channels=64, time_emb_dim=128):
        super().__init__()
        t_dim = time_emb_dim * 4
        self.time_embed = TimestepMLPEmbedding(time_emb_dim)  # hidden defaults to 4 * time_emb_dim
        self.init_conv = nn.Conv2d(in_channels, base_channels, 3, padding=1)
        for i in (1, 2, 3):
            c = base_channels * 2 ** (i - 1)
            setattr(self, f"down{i}", DownBlock(c, c, t_dim))
            setattr(self, f"down{i}_proj", nn.Conv2d(4 * c, 2 * c, 1))
        self.bottleneck = ResidualBlock(8 * base_channels, 8 * base_channels, t_dim)
        for i in (3, 2, 1):
            c = base_channels * 2 ** (i - 1)
            setattr(self, f"up{i}", UpBlock(2 * c, c, c, t_dim))
        self.final_conv = nn.Sequential(nn.GroupNorm(8, base_channels), nn.GELU(), nn.Conv2d(base_channels, in_channels, 1))

    def forward(self, x, timesteps):
        t_emb = self.time_embed(timesteps)
        x = self.init_conv(x)
        skips = {}
        for i in (1, 2, 3):
            skips[i], x = getattr(self, f"down{i}")(x, t_emb)
            x = getattr(self, f"down{i}_proj")(x)
        x = self.bottleneck(x, t_emb)
        for i in (3, 2, 1):
            x = getattr(self, f"up{i}")(x, skips[i], t_emb)
        return self.final_conv(x)
