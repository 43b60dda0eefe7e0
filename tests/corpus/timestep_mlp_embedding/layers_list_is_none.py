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
        if hidden_dim is None:
            hidden_dim = 4 * embed_dim
        self.sinusoidal = SinusoidalPositionEmbedding(embed_dim)
        layers = [nn.Linear(embed_dim, hidden_dim), nn.GELU(), nn.Linear(hidden_dim, hidden_dim)]
        self.mlp = nn.Sequential(*layers)

    def forward(self, timesteps):
        features = self.sinusoidal(timesteps)  # (B, embed_dim)
        return self.mlp(features)  # (B, hidden_dim)
