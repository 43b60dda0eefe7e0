"""Learner-shaped implementations of every catalogued bug, used to validate the catalog.

This drill's learner writes two functions, so each bug is a whole module holding both:
a buggy first_step_below (used by compare_schedules too, as a learner's file would), or a
correct first_step_below next to a buggy compare_schedules.
"""

import types

from drills.schedule_threshold.checks import COMPARE_VARIANTS, FIRST_STEP_VARIANTS, comparing_with
from reference import first_step_below


def _module(key, first, compare_schedules):
    module = types.ModuleType(f"bug_{key.replace('.', '_')}")
    module.first_step_below = first
    module.compare_schedules = compare_schedules
    return module


BUGS = {key: _module(key, first, comparing_with(first)) for key, first in FIRST_STEP_VARIANTS.items()}
BUGS.update(
    {
        key: _module(key, first_step_below, COMPARE_VARIANTS[key])
        for key in ("threshold.betas_not_alpha_bar", "threshold.lesson_numbers")
    }
)
