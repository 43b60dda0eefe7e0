import math

import torch
from torch import nn


class SinusoidalPositionEmbedding(nn.Module):
    def __init__(self, embed_dim):
        super().__init__()
        self.embed_dim = embed_dim

    def forward(self, timesteps):
        half = self.embed_dim // 2
        freqs = torch.exp(-math.log(10000.0) * torch.arange(half, device=timesteps.device).float() / half)
        args = timesteps[:, None].float() * freqs[None, :]
        # PE(t, 2i) = sin, PE(t, 2i+1) = cos
        emb = torch.stack([torch.sin(args), torch.cos(args)], dim=-1)  # (B, half, 2)
        return emb.flatten(start_dim=1)
