import math

import torch
from torch import nn


class SinusoidalPositionEmbedding(nn.Module):
    """Computed in float64 and returned as float32."""

    def __init__(self, embed_dim):
        super().__init__()
        self.embed_dim = embed_dim

    def forward(self, timesteps):
        half = self.embed_dim // 2
        freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float64, device=timesteps.device) / half)
        args = torch.outer(timesteps.double(), freqs)
        return torch.cat([args.sin(), args.cos()], dim=-1).float()
