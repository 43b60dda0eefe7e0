import torch
from torch import nn


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
        raise NotImplementedError("build DownBlock's layers")

    def forward(self, x, t_emb):
        """x: (B, in_channels, H, W); t_emb: (B, time_emb_dim).

        Return (skip, down): skip is the residual block's output, (B, out_channels, H, W), kept
        for the decoder; down is skip after rearrange pooling (every 2×2 patch of channel c to
        channels 4c … 4c+3), (B, 4·out_channels, H/2, W/2).
        """
        raise NotImplementedError("write DownBlock.forward")
