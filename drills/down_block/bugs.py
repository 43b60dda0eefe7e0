"""Learner-shaped implementations of every catalogued bug, used to validate the catalog."""

from drills.down_block.checks import VARIANTS
from reference import DownBlock as _ReferenceLayers


def _from_variant(key):
    class DownBlock(_ReferenceLayers):
        def forward(self, x, t_emb):
            return VARIANTS[key](self, x, t_emb)

    return DownBlock


BUGS = {key: _from_variant(key) for key in VARIANTS}
