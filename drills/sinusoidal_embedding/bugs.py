"""Learner-shaped implementations of every catalogued bug, used to validate the catalog."""

from torch import nn

from drills.sinusoidal_embedding.checks import VARIANTS


def _from_variant(key):
    class SinusoidalPositionEmbedding(nn.Module):
        def __init__(self, embed_dim):
            super().__init__()
            self.embed_dim = embed_dim

        def forward(self, timesteps):
            return VARIANTS[key](timesteps, self.embed_dim)[0].float()

    return SinusoidalPositionEmbedding


BUGS = {key: _from_variant(key) for key in VARIANTS}
