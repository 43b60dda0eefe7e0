"""Learner-shaped implementations of every catalogued bug, used to validate the catalog."""

from drills.cosine_beta_schedule.checks import VARIANTS

BUGS = {}
for _key, _variant in VARIANTS:
    BUGS.setdefault(_key, _variant)
