import torch
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

    def _conv_norm(self, conv, norm, x, shift=None):
        h = norm(conv(x))
        if shift is not None:
            h = h + shift[..., None, None]
        return self.act(h)

    def forward(self, x, t_emb):
        h = self._conv_norm(self.conv1, self.norm1, x, shift=self.time_proj(t_emb))
        h = self._conv_norm(self.conv2, self.norm2, h)
        return h + self.res_conv(x)
