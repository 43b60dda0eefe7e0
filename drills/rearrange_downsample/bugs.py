"""Learner-shaped implementations of every catalogued bug, used to validate the catalog."""

from drills.rearrange_downsample.checks import VARIANTS

BUGS = dict(VARIANTS)
