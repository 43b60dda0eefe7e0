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
        d0 = self.down0(x)
        d1 = self.down1(d0)
        d2 = self.down2(d1)
        latent = self.dense_emb(self.to_vec(d2))
        features = self.sinusoidaltime(torch.true_divide(t, self.T))
        context = c.float() * c_mask.float()
        u0 = self.up0(latent)
        u1 = self.up1(torch.addcmul(self.t_emb1(features), self.c_embed1(context), u0), d2)
        u2 = self.up2(torch.addcmul(self.t_emb2(features), self.c_embed2(context), u1), d1)
        return self.out(torch.cat((u2, d0), 1))
