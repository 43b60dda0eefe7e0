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
        h = self.res_block(x, t_emb)  # (B, out_channels, H, W)
        return x, self.downsample(h)  # keep the input for the decoder; (B, 4·out_channels, H/2, W/2)


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
        b = base_channels
        t_dim = time_emb_dim * 4
        self.time_embed = TimestepMLPEmbedding(time_emb_dim, t_dim)
        self.init_conv = nn.Conv2d(in_channels, b, kernel_size=3, padding=1)

        self.down1 = DownBlock(b, b, t_dim)
        self.down1_proj = nn.Conv2d(b * 4, b * 2, kernel_size=1)  # rearrange gave 4b channels
        self.down2 = DownBlock(b * 2, b * 2, t_dim)
        self.down2_proj = nn.Conv2d(b * 8, b * 4, kernel_size=1)
        self.down3 = DownBlock(b * 4, b * 4, t_dim)
        self.down3_proj = nn.Conv2d(b * 16, b * 8, kernel_size=1)

        self.bottleneck = ResidualBlock(b * 8, b * 8, t_dim)

        self.up3 = UpBlock(b * 8, b * 4, b * 4, t_dim)  # upsampled 8b + skip 4b
        self.up2 = UpBlock(b * 4, b * 2, b * 2, t_dim)
        self.up1 = UpBlock(b * 2, b, b, t_dim)

        self.final_conv = nn.Sequential(nn.GroupNorm(8, b), nn.GELU(), nn.Conv2d(b, in_channels, kernel_size=1))

    def forward(self, x, timesteps):
        t_emb = self.time_embed(timesteps)  # (B, 4·time_emb_dim)
        x = self.init_conv(x)  # (B, b, H, W)

        skip1, x = self.down1(x, t_emb)  # skip1 (B, b, H, W); x (B, 4b, H/2, W/2)
        x = self.down1_proj(x)  # (B, 2b, H/2, W/2)
        skip2, x = self.down2(x, t_emb)
        x = self.down2_proj(x)  # (B, 4b, H/4, W/4)
        skip3, x = self.down3(x, t_emb)
        x = self.down3_proj(x)  # (B, 8b, H/8, W/8)

        x = self.bottleneck(x, t_emb)

        x = self.up3(x, skip3, t_emb)  # (B, 4b, H/4, W/4)
        x = self.up2(x, skip2, t_emb)  # (B, 2b, H/2, W/2)
        x = self.up1(x, skip1, t_emb)  # (B, b, H, W)
        return self.final_conv(x)  # (B, in_channels, H, W)
