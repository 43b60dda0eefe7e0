"""Grading debug_sampler: a fixed sampler is a correct sample_ddpm, so sample_ddpm's probe and grade
apply unchanged. This drill's catalog is the sampler catalog, so the bug a file still has is named."""

from drills.sample_ddpm.checks import grade, probe

__all__ = ["grade", "probe"]
