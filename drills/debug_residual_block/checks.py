"""Grading the fixed ResidualBlock: the same checks as the residual_block drill, with this drill's catalog."""

from drills.residual_block.checks import grade, probe

__all__ = ["grade", "probe"]
