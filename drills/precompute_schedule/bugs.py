"""Learner-shaped implementations of every catalogued bug, used to validate the catalog."""

from drills.precompute_schedule.checks import VARIANTS

BUGS = dict(VARIANTS)
