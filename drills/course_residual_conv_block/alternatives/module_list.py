from torch import nn

# dli-drill: include common/course_blocks GELUConvBlock


class ResidualConvBlock(nn.Module):
    def __init__(self, in_chs, out_chs, group_size):
        super().__init__()
        self.blocks = nn.ModuleList([
            GELUConvBlock(in_chs, out_chs, group_size),
            GELUConvBlock(out_chs, out_chs, group_size),
        ])

    def forward(self, x):
        first = self.blocks[0](x)
        return first + self.blocks[1](first)
