"""Learner-shaped implementations of every catalogued bug, used to validate the catalog."""

from drills.reverse_mean.checks import VARIANTS

# Each variant already has the learner's signature (x_t, t, eps_pred, schedule).
BUGS = dict(VARIANTS)
