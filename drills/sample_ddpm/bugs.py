"""Learner-shaped implementations of every catalogued bug: the debug_sampler drill's buggy starters,
each of which is the model solution with that one bug in it."""

from drills.debug_sampler.bugs import BUGS

__all__ = ["BUGS"]
