"""Grading the fixed UpBlock: the same checks and catalog as the up_block drill."""

from drills.up_block.checks import grade, probe

__all__ = ["grade", "probe"]
