import math

import torch
from torch import nn


class SinusoidalPositionEmbedding(nn.Module):
    def __init__(self, embed_dim):
        super().__init__()
        self.embed_dim = embed_dim

    def forward(self, timesteps):
        half_dim = self.embed_dim // 2
        exponent = torch.arange(half_dim, device=timesteps.device).float() / half_dim
        freqs = torch.exp(-math.log(10000.0) * exponent)
        args = timesteps.float()[:, None] * freqs[None, :]
        return torch.cat([torch.sin(args), torch.cos(args)], dim=-1)
