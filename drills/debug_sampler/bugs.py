"""Every catalogued sampler bug as a learner-shaped function: the mutants of base.py."""

from pathlib import Path

from engine.drills.mutants import mutant_modules

BUGS = {key: module.sample_ddpm for key, module in mutant_modules(Path(__file__).parent).items()}
