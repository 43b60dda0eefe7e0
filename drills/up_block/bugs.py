"""Learner-shaped implementations of every catalogued bug: the buggy files of debug_up_block."""

from pathlib import Path

from engine.drills.modules import load_files

BUGS = {key: module.UpBlock for key, module in load_files(Path(__file__).parent.parent / "debug_up_block" / "starters").items()}
