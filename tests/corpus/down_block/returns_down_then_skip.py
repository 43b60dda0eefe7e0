from einops import rearrange
from torch import nn


class ResidualBlock(nn.Module):
    """Given, as in the lesson: conv → GroupNorm → (+ timestep) → GELU → conv → GroupNorm → GELU, plus a residual."""

    def __init__(self, in_channels, out_channels, time_emb_dim):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1)
        self.norm1 = nn.GroupNorm(8, out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1)
        self.norm2 = nn.GroupNorm(8, out_channels)
        self.act = nn.GELU()
        self.time_mlp = nn.Sequential(nn.GELU(), nn.Linear(time_emb_dim, out_channels))
        if in_channels != out_channels:
            self.residual_conv = nn.Conv2d(in_channels, out_channels, kernel_size=1)
        else:
            self.residual_conv = nn.Identity()

    def forward(self, x, t_emb):
        h = self.norm1(self.conv1(x))
        h = self.act(h + self.time_mlp(t_emb)[:, :, None, None])
        h = self.act(self.norm2(self.conv2(h)))
        return h + self.residual_conv(x)



class DownBlock(nn.Module):
    def __init__(self, in_channels, out_channels, time_emb_dim):
        super().__init__()
        self.res_block = ResidualBlock(in_channels, out_channels, time_emb_dim)

    def forward(self, x, t_emb):
        skip = self.res_block(x, t_emb)
        down = rearrange(skip, "b c (h p1) (w p2) -> b (c p1 p2) h w", p1=2, p2=2)
        return down, skip
