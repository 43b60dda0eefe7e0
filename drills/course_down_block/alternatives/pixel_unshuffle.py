import torch.nn.functional as F
from torch import nn

# dli-drill: include common/course_blocks GELUConvBlock


class RearrangePoolBlock(nn.Module):
    def __init__(self, in_chs, group_size):
        super().__init__()
        self.conv = GELUConvBlock(4 * in_chs, in_chs, group_size)

    def forward(self, x):
        # pixel_unshuffle puts offset (p1, p2) of channel c at channel 4c + 2·p1 + p2, like the einops pattern
        return self.conv(F.pixel_unshuffle(x, 2))


class DownBlock(nn.Module):
    def __init__(self, in_chs, out_chs, group_size):
        super().__init__()
        self.model = nn.Sequential(
            GELUConvBlock(in_chs, out_chs, group_size),
            GELUConvBlock(out_chs, out_chs, group_size),
            RearrangePoolBlock(out_chs, group_size),
        )

    def forward(self, x):
        return self.model(x)
