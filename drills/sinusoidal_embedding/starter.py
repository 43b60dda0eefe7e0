import math

import torch
from torch import nn


class SinusoidalPositionEmbedding(nn.Module):
    def __init__(self, embed_dim):
        super().__init__()
        self.embed_dim = embed_dim  # even

    def forward(self, timesteps):
        """Fixed sin/cos features of integer timesteps.

        timesteps: (B,) integer tensor.
        Return (B, embed_dim) float32 on the timesteps' device. With half = embed_dim // 2 and
        ω_i = 10000^(−i/half) for i = 0 … half−1, row b is
            [sin(t_b·ω_0), …, sin(t_b·ω_{half−1}), cos(t_b·ω_0), …, cos(t_b·ω_{half−1})]
        — all the sines first, then all the cosines (not interleaved).
        """
        raise NotImplementedError("write SinusoidalPositionEmbedding.forward")
