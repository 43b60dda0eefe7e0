import torch.nn.functional as F
from einops import rearrange
from torch import nn


class EmbedBlock(nn.Module):
    def __init__(self, input_dim, emb_dim):
        super().__init__()
        self.input_dim = input_dim
        self.fc1 = nn.Linear(input_dim, emb_dim)
        self.fc2 = nn.Linear(emb_dim, emb_dim)

    def forward(self, x):
        h = self.fc2(F.gelu(self.fc1(x.reshape(-1, self.input_dim))))
        return rearrange(h, "b d -> b d 1 1")
