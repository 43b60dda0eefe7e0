import math

import torch
from torch import nn


class SinusoidalPositionEmbedBlock(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, time):
        half = self.dim // 2
        freqs = torch.exp(-math.log(10000) * torch.linspace(0, 1, half, device=time.device))
        angles = torch.einsum("b,f->bf", time, freqs)
        # the sines block, then the cosines block: stacked on a new axis, then flattened in that order
        return torch.stack((angles.sin(), angles.cos()), dim=1).flatten(1)
