import math

import torch
from torch import nn


class SinusoidalPositionEmbedding(nn.Module):
    def __init__(self, embed_dim):
        super().__init__()
        self.embed_dim = embed_dim

    def forward(self, timesteps):
        half = self.embed_dim // 2
        # double precision for the large arguments at t near 1000
        exponent = torch.arange(half, device=timesteps.device, dtype=torch.float64) / half
        freqs = torch.exp(-math.log(10000.0) * exponent)
        args = timesteps[:, None].double() * freqs[None, :]
        return torch.cat([torch.sin(args), torch.cos(args)], dim=-1)
