import torch
from torch import nn


class SinusoidalPositionEmbedding(nn.Module):
    def __init__(self, embed_dim):
        super().__init__()
        self.embed_dim = embed_dim

    def forward(self, timesteps):
        half = self.embed_dim // 2
        i = torch.arange(half, dtype=torch.float32, device=timesteps.device)
        omega = 1.0 / torch.pow(10000.0, i / half)  # 1 ... ~1e-4
        angles = torch.outer(timesteps.to(torch.float32), omega)  # (B, half)
        return torch.cat((angles.sin(), angles.cos()), dim=1)
