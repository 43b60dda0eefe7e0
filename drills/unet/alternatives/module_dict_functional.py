"""Every layer in one nn.ModuleDict, the blocks' arithmetic written out in forward, and
space-to-depth and upsampling as functions: no block classes at all."""

import math

import torch
import torch.nn.functional as F
from torch import nn


def sinusoidal(timesteps, dim):
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, device=timesteps.device).float() / half)
    args = timesteps[:, None].float() * freqs[None, :]
    return torch.cat([args.sin(), args.cos()], dim=-1)


def residual_layers(c_in, c_out, t_dim):
    return nn.ModuleDict({
        "conv1": nn.Conv2d(c_in, c_out, 3, padding=1), "norm1": nn.GroupNorm(8, c_out),
        "conv2": nn.Conv2d(c_out, c_out, 3, padding=1), "norm2": nn.GroupNorm(8, c_out),
        "time": nn.Linear(t_dim, c_out),
        "skip": nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity(),
    })


def residual(layers, x, t_emb):
    h = layers["norm1"](layers["conv1"](x))
    h = F.gelu(h + layers["time"](F.gelu(t_emb))[:, :, None, None])
    h = F.gelu(layers["norm2"](layers["conv2"](h)))
    return h + layers["skip"](x)


class UNet(nn.Module):
    def __init__(self, in_channels=1, base_channels=64, time_emb_dim=128):
        super().__init__()
        b, t_dim = base_channels, 4 * time_emb_dim
        self.time_emb_dim = time_emb_dim
        layers = {
            "t1": nn.Linear(time_emb_dim, t_dim), "t2": nn.Linear(t_dim, t_dim),
            "stem": nn.Conv2d(in_channels, b, 3, padding=1),
            "middle": residual_layers(8 * b, 8 * b, t_dim),
            "head_norm": nn.GroupNorm(8, b), "head": nn.Conv2d(b, in_channels, 1),
        }
        for level, c in enumerate((b, 2 * b, 4 * b), start=1):
            layers[f"enc{level}"] = residual_layers(c, c, t_dim)
            layers[f"proj{level}"] = nn.Conv2d(4 * c, 2 * c, 1)
            layers[f"dec{level}"] = residual_layers(3 * c, c, t_dim)
        self.layers = nn.ModuleDict(layers)

    def forward(self, x, timesteps):
        m = self.layers
        t_emb = m["t2"](F.gelu(m["t1"](sinusoidal(timesteps, self.time_emb_dim))))
        x = m["stem"](x)
        skips = []
        for level in (1, 2, 3):
            skip = residual(m[f"enc{level}"], x, t_emb)
            skips.append(skip)
            x = m[f"proj{level}"](F.pixel_unshuffle(skip, 2))
        x = residual(m["middle"], x, t_emb)
        for level in (3, 2, 1):
            x = torch.cat([F.interpolate(x, scale_factor=2, mode="nearest"), skips.pop()], dim=1)
            x = residual(m[f"dec{level}"], x, t_emb)
        return m["head"](F.gelu(m["head_norm"](x)))
