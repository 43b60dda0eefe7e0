"""The buggy starters themselves: each must fail and be named as its own bug."""

from pathlib import Path

from engine.drills.modules import load_files

BUGS = {key: module.UpBlock for key, module in load_files(Path(__file__).parent / "starters").items()}
