import torch
from torch import nn


class EmbedBlock(nn.Module):
    def __init__(self, input_dim, emb_dim):
        super().__init__()
        self.input_dim = input_dim
        self.emb_dim = emb_dim
        self.model = nn.Sequential(nn.Linear(input_dim, emb_dim), nn.GELU(), nn.Linear(emb_dim, emb_dim))

    def forward(self, x):
        rows = torch.flatten(x, end_dim=-2) if x.dim() > 2 else x  # (B, input_dim)
        return self.model(rows).view(-1, self.emb_dim, 1, 1)
