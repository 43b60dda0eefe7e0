"""Learner-shaped implementations of every catalogued bug, used to validate the catalog."""

from torch import nn

from drills.timestep_mlp_embedding.checks import VARIANTS
from reference import SinusoidalPositionEmbedding
from reference import TimestepMLPEmbedding as _ReferenceLayers


def _from_variant(key):
    class TimestepMLPEmbedding(_ReferenceLayers):
        def forward(self, timesteps):
            return VARIANTS[key](self, timesteps)

    return TimestepMLPEmbedding


class _HiddenNot4x(_ReferenceLayers):
    def __init__(self, embed_dim, hidden_dim=None):
        super().__init__(embed_dim, hidden_dim or embed_dim)


class _RawTimesteps(nn.Module):
    def __init__(self, embed_dim, hidden_dim=None):
        super().__init__()
        hidden_dim = hidden_dim or embed_dim * 4
        self.sinusoidal = SinusoidalPositionEmbedding(embed_dim)
        self.mlp = nn.Sequential(nn.Linear(1, hidden_dim), nn.GELU(), nn.Linear(hidden_dim, hidden_dim))

    def forward(self, timesteps):
        return self.mlp(timesteps.float()[:, None])


BUGS = {key: _from_variant(key) for key in VARIANTS}
BUGS["timestep_mlp.hidden_not_4x"] = _HiddenNot4x
BUGS["timestep_mlp.raw_timesteps"] = _RawTimesteps
