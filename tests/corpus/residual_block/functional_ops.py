import torch
import torch.nn.functional as F
from torch import nn


class ResidualBlock(nn.Module):
    def __init__(self, in_ch, out_ch, t_dim):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, padding=1)
        self.norm1 = nn.GroupNorm(8, out_ch)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, padding=1)
        self.norm2 = nn.GroupNorm(8, out_ch)
        self.act = nn.GELU()
        self.time_proj = nn.Linear(t_dim, out_ch)
        self.res_conv = nn.Conv2d(in_ch, out_ch, 1) if in_ch != out_ch else nn.Identity()

    def forward(self, x, t_emb):
        # the same layers, called through torch.nn.functional on their parameters
        h = F.conv2d(x, self.conv1.weight, self.conv1.bias, padding=1)
        h = F.group_norm(h, 8, self.norm1.weight, self.norm1.bias, eps=self.norm1.eps)
        shift = F.linear(t_emb, self.time_proj.weight, self.time_proj.bias)
        h = F.gelu(h + shift.unsqueeze(-1).unsqueeze(-1))
        h = F.conv2d(h, self.conv2.weight, self.conv2.bias, padding=1)
        h = F.gelu(F.group_norm(h, 8, self.norm2.weight, self.norm2.bias, eps=self.norm2.eps))
        return h + self.res_conv(x)
