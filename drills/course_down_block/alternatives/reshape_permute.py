from torch import nn

# dli-drill: include common/course_blocks GELUConvBlock


class RearrangePoolBlock(nn.Module):
    def __init__(self, in_chs, group_size):
        super().__init__()
        self.conv = GELUConvBlock(4 * in_chs, in_chs, group_size)

    def forward(self, x):
        b, c, h, w = x.shape
        patches = x.reshape(b, c, h // 2, 2, w // 2, 2).permute(0, 1, 3, 5, 2, 4)  # (B, C, 2, 2, H/2, W/2)
        return self.conv(patches.reshape(b, 4 * c, h // 2, w // 2))


class DownBlock(nn.Module):
    def __init__(self, in_chs, out_chs, group_size):
        super().__init__()
        layers = [GELUConvBlock(in_chs, out_chs, group_size), GELUConvBlock(out_chs, out_chs, group_size)]
        self.model = nn.Sequential(*layers, RearrangePoolBlock(out_chs, group_size))

    def forward(self, x):
        return self.model(x)
