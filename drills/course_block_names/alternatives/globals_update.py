import math

import torch
from einops.layers.torch import Rearrange
from torch import nn

# Seven block bodies of the course's U-Net, under scrambled labels. At the end of the file, bind
# each of the course's seven class names to the body that implements it, e.g. `SomeBlock = Block9`.
# The U-Net below is built from those names, so it works only when every name is right.


class Block1(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, time):
        half_dim = self.dim // 2
        scale = math.log(10000) / (half_dim - 1)
        freqs = torch.exp(torch.arange(half_dim, device=time.device) * -scale)
        angles = time[:, None] * freqs[None, :]
        return torch.cat((angles.sin(), angles.cos()), dim=-1)


class Block2(nn.Module):
    def __init__(self, in_ch, out_ch, group_size):
        super().__init__()
        self.model = nn.Sequential(
            nn.Conv2d(in_ch, out_ch, 3, 1, 1),
            nn.GroupNorm(group_size, out_ch),
            nn.GELU(),
        )

    def forward(self, x):
        return self.model(x)


class Block3(nn.Module):
    def __init__(self, in_chs, out_chs, group_size):
        super().__init__()
        self.model = nn.Sequential(
            nn.ConvTranspose2d(2 * in_chs, out_chs, 2, 2),
            GELUConvBlock(out_chs, out_chs, group_size),
            GELUConvBlock(out_chs, out_chs, group_size),
            GELUConvBlock(out_chs, out_chs, group_size),
            GELUConvBlock(out_chs, out_chs, group_size),
        )

    def forward(self, x, skip):
        x = torch.cat((x, skip), 1)
        return self.model(x)


class Block4(nn.Module):
    def __init__(self, input_dim, emb_dim):
        super().__init__()
        self.input_dim = input_dim
        self.model = nn.Sequential(
            nn.Linear(input_dim, emb_dim),
            nn.GELU(),
            nn.Linear(emb_dim, emb_dim),
            nn.Unflatten(1, (emb_dim, 1, 1)),
        )

    def forward(self, x):
        x = x.view(-1, self.input_dim)
        return self.model(x)


class Block5(nn.Module):
    def __init__(self, in_chs, group_size):
        super().__init__()
        self.rearrange = Rearrange("b c (h p1) (w p2) -> b (c p1 p2) h w", p1=2, p2=2)
        self.conv = GELUConvBlock(4 * in_chs, in_chs, group_size)

    def forward(self, x):
        x = self.rearrange(x)
        return self.conv(x)


class Block6(nn.Module):
    def __init__(self, in_chs, out_chs, group_size):
        super().__init__()
        self.conv1 = GELUConvBlock(in_chs, out_chs, group_size)
        self.conv2 = GELUConvBlock(out_chs, out_chs, group_size)

    def forward(self, x):
        x1 = self.conv1(x)
        x2 = self.conv2(x1)
        return x1 + x2


class Block7(nn.Module):
    def __init__(self, in_chs, out_chs, group_size):
        super().__init__()
        self.model = nn.Sequential(
            GELUConvBlock(in_chs, out_chs, group_size),
            GELUConvBlock(out_chs, out_chs, group_size),
            RearrangePoolBlock(out_chs, group_size),
        )

    def forward(self, x):
        return self.model(x)


# dli-drill: include common/course_blocks UNet


# The answers as one mapping, bound at module level.
globals().update(
    {
        "ResidualConvBlock": Block6,
        "UpBlock": Block3,
        "GELUConvBlock": Block2,
        "DownBlock": Block7,
        "RearrangePoolBlock": Block5,
        "EmbedBlock": Block4,
        "SinusoidalPositionEmbedBlock": Block1,
    }
)
