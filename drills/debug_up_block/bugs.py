"""Every catalogued UpBlock bug as a learner-shaped class: the mutants of base.py."""

from pathlib import Path

from engine.drills.mutants import mutant_modules

BUGS = {key: module.UpBlock for key, module in mutant_modules(Path(__file__).parent).items()}
