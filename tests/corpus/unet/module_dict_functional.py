import math

import torch
import torch.nn.functional as F
from torch import nn


def sinusoidal_features(timesteps, dim):
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, device=timesteps.device).float() / half)
    args = timesteps.float()[:, None] * freqs[None, :]
    return torch.cat([args.sin(), args.cos()], dim=-1)


class UNet(nn.Module):
    """All layers live in self.layers (a ModuleDict); forward calls them through F.*."""

    def __init__(self, in_channels=1, base_channels=64, time_emb_dim=128):
        super().__init__()
        b = base_channels
        t_dim = 4 * time_emb_dim
        self.time_emb_dim = time_emb_dim
        layers = {
            "t_fc1": nn.Linear(time_emb_dim, t_dim),
            "t_fc2": nn.Linear(t_dim, t_dim),
            "stem": nn.Conv2d(in_channels, b, 3, padding=1),
        }

        def add_res(name, c_in, c_out):
            layers[name + "_conv1"] = nn.Conv2d(c_in, c_out, 3, padding=1)
            layers[name + "_gn1"] = nn.GroupNorm(8, c_out)
            layers[name + "_temb"] = nn.Linear(t_dim, c_out)
            layers[name + "_conv2"] = nn.Conv2d(c_out, c_out, 3, padding=1)
            layers[name + "_gn2"] = nn.GroupNorm(8, c_out)
            if c_in != c_out:
                layers[name + "_short"] = nn.Conv2d(c_in, c_out, 1)

        for level in (1, 2, 3):
            c = b * 2 ** (level - 1)
            add_res(f"enc{level}", c, c)
            layers[f"enc{level}_proj"] = nn.Conv2d(4 * c, 2 * c, 1)
        add_res("mid", 8 * b, 8 * b)
        for level in (3, 2, 1):
            c = b * 2 ** (level - 1)
            add_res(f"dec{level}", 3 * c, c)
        layers["head_gn"] = nn.GroupNorm(8, b)
        layers["head_conv"] = nn.Conv2d(b, in_channels, 1)
        self.layers = nn.ModuleDict(layers)

    def _conv(self, name, x, padding=0):
        layer = self.layers[name]
        return F.conv2d(x, layer.weight, layer.bias, padding=padding)

    def _gn(self, name, x):
        layer = self.layers[name]
        return F.group_norm(x, 8, layer.weight, layer.bias)

    def _res(self, name, x, t_emb):
        temb = self.layers[name + "_temb"]
        h = self._gn(name + "_gn1", self._conv(name + "_conv1", x, padding=1))
        h = F.gelu(h + F.linear(F.gelu(t_emb), temb.weight, temb.bias)[:, :, None, None])
        h = F.gelu(self._gn(name + "_gn2", self._conv(name + "_conv2", h, padding=1)))
        shortcut = self._conv(name + "_short", x) if name + "_short" in self.layers else x
        return h + shortcut

    def forward(self, x, timesteps):
        fc1, fc2 = self.layers["t_fc1"], self.layers["t_fc2"]
        t_emb = sinusoidal_features(timesteps, self.time_emb_dim)
        t_emb = F.linear(F.gelu(F.linear(t_emb, fc1.weight, fc1.bias)), fc2.weight, fc2.bias)
        h = self._conv("stem", x, padding=1)
        skips = {}
        for level in (1, 2, 3):
            h = self._res(f"enc{level}", h, t_emb)
            skips[level] = h
            h = self._conv(f"enc{level}_proj", F.pixel_unshuffle(h, 2))
        h = self._res("mid", h, t_emb)
        for level in (3, 2, 1):
            h = F.interpolate(h, scale_factor=2, mode="nearest")
            h = self._res(f"dec{level}", torch.cat([h, skips[level]], dim=1), t_emb)
        h = F.gelu(self._gn("head_gn", h))
        return self._conv("head_conv", h)
