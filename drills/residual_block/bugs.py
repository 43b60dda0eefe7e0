"""Learner-shaped implementations of every catalogued bug, used to validate the catalog."""

from drills.residual_block.checks import VARIANTS, Q1Block


def _from_variant(key):
    class ResidualBlock(Q1Block):
        def forward(self, x, t_emb):
            return VARIANTS[key](self, x, t_emb)

    return ResidualBlock


BUGS = {key: _from_variant(key) for key in VARIANTS}
