import math

import torch
from torch import nn


class SinusoidalPositionEmbedding(nn.Module):
    def __init__(self, embed_dim):
        super().__init__()
        self.embed_dim = embed_dim

    def forward(self, timesteps):
        half = self.embed_dim // 2
        t = timesteps.float()
        sines, cosines = [], []
        for i in range(half):
            omega = math.exp(-math.log(10000.0) * i / half)
            sines.append(torch.sin(t * omega))
            cosines.append(torch.cos(t * omega))
        return torch.stack(sines + cosines, dim=1)  # (B, embed_dim)
