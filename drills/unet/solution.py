import math

import torch
from torch import nn

# dli-drill: include common/lesson_blocks SinusoidalPositionEmbedding TimestepMLPEmbedding ResidualBlock DownBlock UpBlock


class UNet(nn.Module):
    def __init__(self, in_channels=1, base_channels=64, time_emb_dim=128):
        """The lesson's U-Net noise predictor, built from the blocks above.

        - time_embed: TimestepMLPEmbedding(time_emb_dim, 4·time_emb_dim); every block gets its output.
        - init_conv: 3×3 conv from in_channels to base_channels (b).
        - three encoder levels working at b, 2b and 4b channels: down{i} is a DownBlock that keeps
          its width, and down{i}_proj a 1×1 conv that takes the 4× channels of rearrange pooling
          to twice the level's width (4b → 2b, 8b → 4b, 16b → 8b).
        - bottleneck: a ResidualBlock at 8b channels.
        - three decoder levels up3, up2, up1 (UpBlocks) that mirror the encoder, each
          concatenating the skip of the same level.
        - final_conv: GroupNorm → GELU → 1×1 conv back to in_channels.
        The height and width must be divisible by 8.
        """
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
        """x: (B, in_channels, H, W) noisy images; timesteps: (B,) integers. Return (B, in_channels, H, W)."""
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
