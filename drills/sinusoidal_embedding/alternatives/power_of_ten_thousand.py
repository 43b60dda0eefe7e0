import torch
from torch import nn


class SinusoidalPositionEmbedding(nn.Module):
    """The textbook's t / 10000^(2i/d), written with a power and a division."""

    def __init__(self, embed_dim):
        super().__init__()
        self.embed_dim = embed_dim

    def forward(self, timesteps):
        two_i = torch.arange(0, self.embed_dim, 2, device=timesteps.device, dtype=torch.float32)
        args = timesteps.float().unsqueeze(1) / 10000 ** (two_i / self.embed_dim)
        return torch.cat((args.sin(), args.cos()), dim=1)
