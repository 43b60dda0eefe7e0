import math

import torch
from torch import nn


class SinusoidalPositionEmbedding(nn.Module):
    """Given: fixed sin/cos features, (B,) -> (B, embed_dim), all sines then all cosines."""

    def __init__(self, embed_dim):
        super().__init__()
        self.embed_dim = embed_dim

    def forward(self, timesteps):
        half = self.embed_dim // 2
        exponent = torch.arange(half, device=timesteps.device).float() / half
        freqs = torch.exp(-math.log(10000.0) * exponent)
        args = timesteps[:, None].float() * freqs[None, :]
        return torch.cat([torch.sin(args), torch.cos(args)], dim=-1)


class TimestepMLPEmbedding(nn.Module):
    def __init__(self, embed_dim, hidden_dim=None):
        super().__init__()
        hidden = embed_dim * 4
        self.sinusoidal = SinusoidalPositionEmbedding(embed_dim)
        self.mlp = nn.Sequential(
            nn.Linear(embed_dim, hidden),
            nn.GELU(),
            nn.Linear(hidden, hidden),
        )

    def forward(self, timesteps):
        return self.mlp(self.sinusoidal(timesteps))
