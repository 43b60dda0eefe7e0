import math

import torch
from torch import nn


class SinusoidalPositionEmbedding(nn.Module):
    """Frequencies computed once in __init__; moved to the input's device at call time."""

    def __init__(self, embed_dim):
        super().__init__()
        self.embed_dim = embed_dim
        half = embed_dim // 2
        freqs = torch.exp(torch.arange(half, dtype=torch.float32) * (-math.log(10000.0) / half))
        self.register_buffer("freqs", freqs, persistent=False)

    def forward(self, timesteps):
        freqs = self.freqs.to(timesteps.device)
        args = torch.einsum("b,f->bf", timesteps.float(), freqs)
        return torch.cat([args.sin(), args.cos()], dim=-1)
