import torch
from torch import nn


class SinusoidalPositionEmbedBlock(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, time):
        half = self.dim // 2
        # half frequencies spaced evenly in log scale from 10^0 down to 10^-4 = 1/10000
        freqs = torch.logspace(0, -4, half, device=time.device)
        angles = torch.outer(time, freqs)
        return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)
