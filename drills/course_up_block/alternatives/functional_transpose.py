import torch
import torch.nn.functional as F
from torch import nn


class UpBlock(nn.Module):
    def __init__(self, in_chs, out_chs, group_size):
        super().__init__()
        self.up_weight = nn.Parameter(torch.empty(2 * in_chs, out_chs, 2, 2))
        self.up_bias = nn.Parameter(torch.zeros(out_chs))
        nn.init.kaiming_uniform_(self.up_weight)
        self.stages = nn.ModuleList(
            nn.ModuleList([nn.Conv2d(out_chs, out_chs, 3, padding=1), nn.GroupNorm(group_size, out_chs)]) for _ in range(4)
        )

    def forward(self, x, skip):
        h = F.conv_transpose2d(torch.concat([x, skip], 1), self.up_weight, self.up_bias, stride=2)
        for conv, norm in self.stages:
            h = F.gelu(norm(conv(h)))
        return h
