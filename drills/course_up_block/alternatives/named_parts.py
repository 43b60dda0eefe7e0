import torch
from torch import nn

# dli-drill: include common/course_blocks GELUConvBlock


class UpBlock(nn.Module):
    def __init__(self, in_chs, out_chs, group_size):
        super().__init__()
        self.up = nn.ConvTranspose2d(in_chs * 2, out_chs, kernel_size=2, stride=2)
        self.refine = nn.Sequential(*[GELUConvBlock(out_chs, out_chs, group_size) for _ in range(4)])

    def forward(self, x, skip):
        joined = torch.cat([x, skip], dim=1)  # (B, 2·in_chs, H, W)
        return self.refine(self.up(joined))
