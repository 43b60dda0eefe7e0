"""Learner-shaped U-Nets with one catalogued bug each: the files in buggy/<bug key>.py."""

from pathlib import Path

from engine.drills.modules import load_files

BUGS = {key: module.UNet for key, module in load_files(Path(__file__).parent / "buggy").items()}
