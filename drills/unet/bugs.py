"""Learner-shaped U-Nets with one catalogued bug each: the mutants of solution.py."""

from pathlib import Path

from engine.drills.mutants import mutant_modules

BUGS = {key: module.UNet for key, module in mutant_modules(Path(__file__).parent).items()}
