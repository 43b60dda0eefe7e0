"""Coding drills: loading their content, running a learner's file in isolation, and grading it."""
