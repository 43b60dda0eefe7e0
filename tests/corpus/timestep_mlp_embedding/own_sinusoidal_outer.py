import torch
from torch import nn


class SinusoidalPositionEmbedding(nn.Module):
    """Rewritten with a power of 10000 and an outer product."""

    def __init__(self, embed_dim):
        super().__init__()
        self.embed_dim = embed_dim

    def forward(self, timesteps):
        half = self.embed_dim // 2
        omega = 10000.0 ** (-torch.arange(half, device=timesteps.device, dtype=torch.float32) / half)
        args = torch.outer(timesteps.float(), omega)
        return torch.cat([args.sin(), args.cos()], dim=1)


class TimestepMLPEmbedding(nn.Module):
    def __init__(self, embed_dim, hidden_dim=None):
        super().__init__()
        width = hidden_dim or 4 * embed_dim
        self.sinusoidal = SinusoidalPositionEmbedding(embed_dim)
        self.mlp = nn.Sequential()
        self.mlp.append(nn.Linear(embed_dim, width))
        self.mlp.append(nn.GELU())
        self.mlp.append(nn.Linear(width, width))

    def forward(self, timesteps):
        return self.mlp(self.sinusoidal(timesteps))
