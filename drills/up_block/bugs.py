"""Learner-shaped implementations of every catalogued bug: the debug_up_block drill's mutants."""

from drills.debug_up_block.bugs import BUGS

__all__ = ["BUGS"]
