import math

import torch
from einops.layers.torch import Rearrange
from torch import nn

# dli-drill: include common/course_blocks GELUConvBlock RearrangePoolBlock DownBlock UpBlock
# dli-drill: include common/course_blocks SinusoidalPositionEmbedBlock EmbedBlock ResidualConvBlock


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
        skips = [self.down0(x)]
        for down in (self.down1, self.down2):
            skips.append(down(skips[-1]))
        h = self.up0(self.dense_emb(self.to_vec(skips[-1])))
        time = self.sinusoidaltime(t.float() / self.T)
        masked = c * c_mask
        levels = [(self.up1, self.c_embed1, self.t_emb1, skips[2]), (self.up2, self.c_embed2, self.t_emb2, skips[1])]
        for up, scale, shift, skip in levels:
            # the context scales the features, the time shifts them
            h = up(scale(masked) * h + shift(time), skip)
        return self.out(torch.cat((h, skips[0]), 1))
