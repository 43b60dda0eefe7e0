import math

import torch
import torch.nn.functional as F
from torch import nn


class TimeEmbedding(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.dim = dim
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, hidden)

    def forward(self, t):
        half = self.dim // 2
        freqs = 10000.0 ** (-torch.arange(half, device=t.device, dtype=torch.float32) / half)
        angles = t.float().unsqueeze(1) * freqs.unsqueeze(0)
        feats = torch.cat([angles.sin(), angles.cos()], dim=1)
        return self.fc2(F.gelu(self.fc1(feats)))


class ResBlock(nn.Module):
    def __init__(self, c_in, c_out, t_dim):
        super().__init__()
        self.c1 = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.n1 = nn.GroupNorm(8, c_out)
        self.t_lin = nn.Linear(t_dim, c_out)
        self.c2 = nn.Conv2d(c_out, c_out, 3, padding=1)
        self.n2 = nn.GroupNorm(8, c_out)
        self.shortcut = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else None

    def forward(self, x, t):
        h = self.n1(self.c1(x)) + self.t_lin(F.gelu(t)).view(x.shape[0], -1, 1, 1)
        h = F.gelu(h)
        h = F.gelu(self.n2(self.c2(h)))
        return h + (x if self.shortcut is None else self.shortcut(x))


class Encoder(nn.Module):
    def __init__(self, c, t_dim):
        super().__init__()
        self.res = ResBlock(c, c, t_dim)
        self.reduce = nn.Conv2d(4 * c, 2 * c, 1)

    def forward(self, x, t):
        skip = self.res(x, t)
        b, c, h, w = skip.shape
        folded = skip.reshape(b, c, h // 2, 2, w // 2, 2).permute(0, 1, 3, 5, 2, 4).reshape(b, 4 * c, h // 2, w // 2)
        return skip, self.reduce(folded)


class Decoder(nn.Module):
    def __init__(self, c_below, c_skip, t_dim):
        super().__init__()
        self.res = ResBlock(c_below + c_skip, c_skip, t_dim)

    def forward(self, x, skip, t):
        x = F.interpolate(x, size=skip.shape[-2:], mode="nearest")
        return self.res(torch.cat([x, skip], dim=1), t)


class UNet(nn.Module):
    def __init__(self, in_channels=1, base_channels=64, time_emb_dim=128):
        super().__init__()
        b = base_channels
        self.t_mlp = TimeEmbedding(time_emb_dim, 4 * time_emb_dim)
        self.conv_in = nn.Conv2d(in_channels, b, 3, padding=1)
        self.enc1 = Encoder(b, 4 * time_emb_dim)
        self.enc2 = Encoder(2 * b, 4 * time_emb_dim)
        self.enc3 = Encoder(4 * b, 4 * time_emb_dim)
        self.mid_block = ResBlock(8 * b, 8 * b, 4 * time_emb_dim)
        self.dec3 = Decoder(8 * b, 4 * b, 4 * time_emb_dim)
        self.dec2 = Decoder(4 * b, 2 * b, 4 * time_emb_dim)
        self.dec1 = Decoder(2 * b, b, 4 * time_emb_dim)
        self.norm_out = nn.GroupNorm(8, b)
        self.conv_out = nn.Conv2d(b, in_channels, 1)

    def forward(self, x, timesteps):
        t = self.t_mlp(timesteps)
        h = self.conv_in(x)
        s1, h = self.enc1(h, t)
        s2, h = self.enc2(h, t)
        s3, h = self.enc3(h, t)
        h = self.mid_block(h, t)
        h = self.dec3(h, s3, t)
        h = self.dec2(h, s2, t)
        h = self.dec1(h, s1, t)
        return self.conv_out(F.gelu(self.norm_out(h)))
