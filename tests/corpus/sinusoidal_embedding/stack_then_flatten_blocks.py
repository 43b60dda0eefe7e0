import math

import torch
from torch import nn


class SinusoidalPositionEmbedding(nn.Module):
    def __init__(self, embed_dim):
        super().__init__()
        self.embed_dim = embed_dim

    def forward(self, timesteps):
        batch = timesteps.shape[0]
        half = self.embed_dim // 2
        freqs = torch.exp(-math.log(10000.0) * torch.arange(0, half, device=timesteps.device) / half)
        args = timesteps.unsqueeze(1).float() * freqs.unsqueeze(0)
        # (B, 2, half): row 0 the sines, row 1 the cosines, then flattened block after block
        return torch.stack([torch.sin(args), torch.cos(args)], dim=1).reshape(batch, self.embed_dim)
