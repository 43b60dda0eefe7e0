from einops import rearrange
from torch import nn

# dli-drill: include common/course_blocks GELUConvBlock


class RearrangePoolBlock(nn.Module):
    def __init__(self, in_chs, group_size):
        super().__init__()
        self.mix = GELUConvBlock(in_chs * 4, in_chs, group_size)

    def forward(self, x):
        return self.mix(rearrange(x, "b c (h p1) (w p2) -> b (c p1 p2) h w", p1=2, p2=2))


class DownBlock(nn.Module):
    def __init__(self, in_chs, out_chs, group_size):
        super().__init__()
        self.first = GELUConvBlock(in_chs, out_chs, group_size)
        self.second = GELUConvBlock(out_chs, out_chs, group_size)
        self.pool = RearrangePoolBlock(out_chs, group_size)

    def forward(self, x):
        return self.pool(self.second(self.first(x)))
