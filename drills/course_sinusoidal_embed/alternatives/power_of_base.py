import torch
from torch import nn


class SinusoidalPositionEmbedBlock(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, time):
        half = self.dim // 2
        exponents = torch.arange(half, dtype=torch.float32, device=time.device) / (half - 1)
        freqs = 10000.0 ** -exponents  # (half,)
        angles = time.unsqueeze(-1) * freqs.unsqueeze(0)  # (B, half)
        return torch.cat((angles.sin(), angles.cos()), -1)
