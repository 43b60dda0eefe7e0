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
        """Two conv → GroupNorm → GELU layers, with the timestep injected into the first and a residual path.

        x: (B, in_ch, H, W); t_emb: (B, t_dim).
        Return (B, out_ch, H, W). The timestep is projected to one value per output channel and
        added to the feature map after the first normalisation, before its activation. The
        residual (x through res_conv) is added to the output of the second layer, after its activation.
        Keep __init__ as it is: the grader loads fixed weights into these attributes.
        """
        residual = self.res_conv(x)  # (B, out_ch, H, W)
        h = self.norm1(self.conv1(x))
        t = self.time_proj(t_emb)[:, :, None, None]  # (B, out_ch, 1, 1)
        h = self.act(h + t)
        h = self.act(self.norm2(self.conv2(h)))
        return h + residual
