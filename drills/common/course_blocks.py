"""The course's U-Net blocks and its U-Net, as the course-track drills hand them to learners.

Starters, solutions and alternatives include them with ``# dli-drill: include
common/course_blocks <Name> ...``. Attribute names and nesting are the course's, so the weights
of ``reference.course`` load into them by name. Where a drill blanks a body, its docstring is the
task text.
"""

import math

import torch
from einops.layers.torch import Rearrange
from torch import nn


class GELUConvBlock(nn.Module):
    def __init__(self, in_ch, out_ch, group_size):
        """The course's basic layer: keep in `self.model` an nn.Sequential of a 3×3 convolution
        (stride 1, padding 1) from in_ch to out_ch channels, a GroupNorm with group_size groups
        over out_ch channels, and a GELU."""
        super().__init__()
        self.model = nn.Sequential(
            nn.Conv2d(in_ch, out_ch, 3, 1, 1),
            nn.GroupNorm(group_size, out_ch),
            nn.GELU(),
        )

    def forward(self, x):
        """(B, in_ch, H, W) -> (B, out_ch, H, W)."""
        return self.model(x)


class RearrangePoolBlock(nn.Module):
    def __init__(self, in_chs, group_size):
        """Halve the height and width without throwing anything away.

        `self.rearrange` moves every 2×2 patch into the channels (space-to-depth: channel c's
        pixel at offset (p1, p2) becomes channel 4c + 2·p1 + p2), and `self.conv`, a
        GELUConvBlock from 4·in_chs back to in_chs channels, mixes them.
        """
        super().__init__()
        self.rearrange = Rearrange("b c (h p1) (w p2) -> b (c p1 p2) h w", p1=2, p2=2)
        self.conv = GELUConvBlock(4 * in_chs, in_chs, group_size)

    def forward(self, x):
        """(B, C, H, W) -> (B, C, H/2, W/2)."""
        x = self.rearrange(x)  # (B, 4C, H/2, W/2)
        return self.conv(x)


class DownBlock(nn.Module):
    def __init__(self, in_chs, out_chs, group_size):
        """One encoder level. Keep in `self.model` an nn.Sequential of two GELUConvBlocks
        (in_chs -> out_chs, then out_chs -> out_chs) and a RearrangePoolBlock over out_chs, all
        with group_size groups."""
        super().__init__()
        self.model = nn.Sequential(
            GELUConvBlock(in_chs, out_chs, group_size),
            GELUConvBlock(out_chs, out_chs, group_size),
            RearrangePoolBlock(out_chs, group_size),
        )

    def forward(self, x):
        """(B, in_chs, H, W) -> (B, out_chs, H/2, W/2): one tensor, the U-Net keeps it as the skip."""
        return self.model(x)


class UpBlock(nn.Module):
    def __init__(self, in_chs, out_chs, group_size):
        """One decoder level. Keep in `self.model` an nn.Sequential of a ConvTranspose2d from
        2·in_chs to out_chs channels (kernel 2, stride 2), then four GELUConvBlocks from out_chs
        to out_chs with group_size groups."""
        super().__init__()
        self.model = nn.Sequential(
            nn.ConvTranspose2d(2 * in_chs, out_chs, 2, 2),
            GELUConvBlock(out_chs, out_chs, group_size),
            GELUConvBlock(out_chs, out_chs, group_size),
            GELUConvBlock(out_chs, out_chs, group_size),
            GELUConvBlock(out_chs, out_chs, group_size),
        )

    def forward(self, x, skip):
        """x and skip: (B, in_chs, H, W) each, the same size.

        Join them along the channels, x first, then run self.model (the transposed convolution
        doubles the height and width). Return (B, out_chs, 2H, 2W).
        """
        x = torch.cat((x, skip), 1)  # (B, 2·in_chs, H, W)
        return self.model(x)


class SinusoidalPositionEmbedBlock(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, time):
        """Sine and cosine features of a time in [0, 1] (the U-Net passes t / T).

        time: (B,) floats. With half = dim // 2 and the frequencies
            ω_j = exp(−j · ln(10000) / (half − 1)),  j = 0 … half − 1
        (note half − 1: ω runs from 1 down to exactly 1/10000), return (B, dim):
            [sin(time·ω_0), …, sin(time·ω_{half−1}), cos(time·ω_0), …, cos(time·ω_{half−1})]
        all the sines first, then all the cosines, on time's device.
        """
        half = self.dim // 2
        step = math.log(10000) / (half - 1)
        freqs = torch.exp(torch.arange(half, device=time.device) * -step)  # (half,)
        angles = time[:, None] * freqs[None, :]  # (B, half)
        return torch.cat((angles.sin(), angles.cos()), dim=-1)  # (B, dim)


class EmbedBlock(nn.Module):
    def __init__(self, input_dim, emb_dim):
        """Map a vector to one value per channel. Keep `self.input_dim`, and in `self.model` an
        nn.Sequential of Linear(input_dim, emb_dim), GELU, Linear(emb_dim, emb_dim) and an
        nn.Unflatten(1, (emb_dim, 1, 1))."""
        super().__init__()
        self.input_dim = input_dim
        self.model = nn.Sequential(
            nn.Linear(input_dim, emb_dim),
            nn.GELU(),
            nn.Linear(emb_dim, emb_dim),
            nn.Unflatten(1, (emb_dim, 1, 1)),
        )

    def forward(self, x):
        """x: any shape holding input_dim values per sample, e.g. (B, input_dim) or the
        (B, 1, 1, 1, input_dim) that time steps of shape (B, 1, 1, 1) give.

        Flatten it to (B, input_dim), run self.model and return (B, emb_dim, 1, 1), ready to
        scale or shift a (B, emb_dim, H, W) feature map.
        """
        x = x.view(-1, self.input_dim)  # (B, input_dim)
        return self.model(x)


class ResidualConvBlock(nn.Module):
    def __init__(self, in_chs, out_chs, group_size):
        """Build `self.conv1`, a GELUConvBlock from in_chs to out_chs channels, and `self.conv2`,
        one from out_chs to out_chs, both with group_size groups."""
        super().__init__()
        self.conv1 = GELUConvBlock(in_chs, out_chs, group_size)
        self.conv2 = GELUConvBlock(out_chs, out_chs, group_size)

    def forward(self, x):
        """(B, in_chs, H, W) -> (B, out_chs, H, W).

        x1 = conv1(x), x2 = conv2(x1), and return x1 + x2: the shortcut starts at x1, the
        first block's output, not at x (so in_chs and out_chs may differ).
        """
        x1 = self.conv1(x)
        x2 = self.conv2(x1)
        return x1 + x2


class UNet(nn.Module):
    def __init__(self, T, img_ch, img_size, down_chs=(64, 64, 128), t_embed_dim=8, c_embed_dim=10):
        super().__init__()
        self.T = T
        up_chs = down_chs[::-1]
        latent_image_size = img_size // 4  # two halvings
        small_group_size = 8
        big_group_size = 32

        self.down0 = ResidualConvBlock(img_ch, down_chs[0], small_group_size)
        self.down1 = DownBlock(down_chs[0], down_chs[1], big_group_size)
        self.down2 = DownBlock(down_chs[1], down_chs[2], big_group_size)
        self.to_vec = nn.Sequential(nn.Flatten(), nn.GELU())

        self.dense_emb = nn.Sequential(
            nn.Linear(down_chs[2] * latent_image_size**2, down_chs[1]),
            nn.ReLU(),
            nn.Linear(down_chs[1], down_chs[1]),
            nn.ReLU(),
            nn.Linear(down_chs[1], down_chs[2] * latent_image_size**2),
            nn.ReLU(),
        )
        self.sinusoidaltime = SinusoidalPositionEmbedBlock(t_embed_dim)
        self.t_emb1 = EmbedBlock(t_embed_dim, up_chs[0])
        self.t_emb2 = EmbedBlock(t_embed_dim, up_chs[1])
        self.c_embed1 = EmbedBlock(c_embed_dim, up_chs[0])
        self.c_embed2 = EmbedBlock(c_embed_dim, up_chs[1])

        self.up0 = nn.Sequential(
            nn.Unflatten(1, (up_chs[0], latent_image_size, latent_image_size)),
            GELUConvBlock(up_chs[0], up_chs[0], big_group_size),
        )
        self.up1 = UpBlock(up_chs[0], up_chs[1], big_group_size)
        self.up2 = UpBlock(up_chs[1], up_chs[2], big_group_size)

        self.out = nn.Sequential(
            nn.Conv2d(2 * up_chs[-1], up_chs[-1], 3, 1, 1),
            nn.GroupNorm(small_group_size, up_chs[-1]),
            nn.ReLU(),
            nn.Conv2d(up_chs[-1], img_ch, 3, 1, 1),
        )

    def forward(self, x, t, c, c_mask):
        """Predict the noise in x at step t for context c.

        x: (B, img_ch, H, W); t: (B,) raw steps in [0, T), any number type; c and c_mask:
        (B, c_embed_dim). Return (B, img_ch, H, W).

        Encoder: down0 = self.down0(x), down1 = self.down1(down0), down2 = self.down2(down1);
        the bottleneck is self.dense_emb(self.to_vec(down2)), and self.up0 turns it back into a
        (B, C2, H/4, W/4) map.
        Time: divide t by self.T first (the embedding expects [0, 1]), run it through
        self.sinusoidaltime, then self.t_emb1 and self.t_emb2 (one shift per channel).
        Context: multiply c by c_mask (a dropped element becomes 0), then self.c_embed1 and
        self.c_embed2 (one scale per channel).
        Decoder: up1 = self.up1(c_emb1 · up0 + t_emb1, down2) and
        up2 = self.up2(c_emb2 · up1 + t_emb2, down1): the context multiplies, the time adds.
        Output: self.out applied to cat(up2, down0) along the channels.
        """
        down0 = self.down0(x)  # (B, C0, H, W)
        down1 = self.down1(down0)  # (B, C1, H/2, W/2)
        down2 = self.down2(down1)  # (B, C2, H/4, W/4)
        latent_vec = self.dense_emb(self.to_vec(down2))  # (B, C2·H/4·W/4)

        t = t.float() / self.T  # [0, T) -> [0, 1)
        t = self.sinusoidaltime(t)  # (B, t_embed_dim)
        t_emb1 = self.t_emb1(t)  # (B, C2, 1, 1)
        t_emb2 = self.t_emb2(t)  # (B, C1, 1, 1)

        c = c * c_mask
        c_emb1 = self.c_embed1(c)  # (B, C2, 1, 1)
        c_emb2 = self.c_embed2(c)  # (B, C1, 1, 1)

        up0 = self.up0(latent_vec)  # (B, C2, H/4, W/4)
        up1 = self.up1(c_emb1 * up0 + t_emb1, down2)  # (B, C1, H/2, W/2)
        up2 = self.up2(c_emb2 * up1 + t_emb2, down1)  # (B, C0, H, W)
        return self.out(torch.cat((up2, down0), 1))  # (B, img_ch, H, W)
