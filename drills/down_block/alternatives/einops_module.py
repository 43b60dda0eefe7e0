"""einops' Rearrange layer as a submodule (it has no weights, so the state_dict is unchanged)."""

from einops.layers.torch import Rearrange
from torch import nn

# dli-drill: include common/lesson_blocks ResidualBlock


class DownBlock(nn.Module):
    def __init__(self, in_channels, out_channels, time_emb_dim):
        super().__init__()
        self.res_block = ResidualBlock(in_channels, out_channels, time_emb_dim)
        self.pool = Rearrange("b c (h p1) (w p2) -> b (c p1 p2) h w", p1=2, p2=2)

    def forward(self, x, t_emb):
        skip = self.res_block(x, t_emb)
        return skip, self.pool(skip)
