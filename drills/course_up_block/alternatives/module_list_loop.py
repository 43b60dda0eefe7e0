import torch
from torch import nn

# dli-drill: include common/course_blocks GELUConvBlock


class UpBlock(nn.Module):
    def __init__(self, in_chs, out_chs, group_size):
        super().__init__()
        self.layers = nn.ModuleList([nn.ConvTranspose2d(2 * in_chs, out_chs, 2, 2)])
        for _ in range(4):
            self.layers.append(GELUConvBlock(out_chs, out_chs, group_size))

    def forward(self, x, skip):
        h = torch.hstack((x, skip))  # along the channels for (B, C, H, W) tensors
        for layer in self.layers:
            h = layer(h)
        return h
