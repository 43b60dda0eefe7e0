import math

import torch
from torch import nn

# dli-drill: include common/lesson_blocks SinusoidalPositionEmbedding


class TimestepMLPEmbedding(nn.Module):
    def __init__(self, embed_dim, hidden_dim=None):
        super().__init__()
        hidden_dim = hidden_dim or embed_dim * 4
        self.sinusoidal = SinusoidalPositionEmbedding(embed_dim)
        self.mlp = nn.Sequential(
            nn.Linear(embed_dim, hidden_dim),
            nn.GELU(approximate="tanh"),  # the course notebooks' GELU
            nn.Linear(hidden_dim, hidden_dim),
        )

    def forward(self, timesteps):
        return self.mlp(self.sinusoidal(timesteps))  # (B, hidden_dim)
