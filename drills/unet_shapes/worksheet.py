"""Worksheet configs drawn from a seed, and the starter text for one (torch-free: `drill start` uses it)."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Worksheet:
    seed: int
    in_channels: int
    base_channels: int
    levels: int
    batch: int
    height: int
    width: int

    def describe(self) -> str:
        return (
            f"seed {self.seed}: in_channels={self.in_channels}, base_channels={self.base_channels}, "
            f"{self.levels} level{'s' * (self.levels > 1)}, input ({self.batch}, {self.in_channels}, {self.height}, {self.width})"
        )


def draw(seed: int) -> Worksheet:
    """The config of worksheet ``seed``: widths stay small enough to build the reference in a blink."""
    rng = random.Random(seed)
    levels = rng.choice([1, 2, 3, 3, 4])
    base = rng.choice([8, 16] if levels == 4 else [8, 16, 24, 32])
    step = 2**levels
    sides = [step * k for k in range(1, 64 // step + 1) if step * k >= 8]
    height = rng.choice(sides)
    width = height if rng.random() < 0.6 else rng.choice(sides)
    return Worksheet(seed, rng.choice([1, 3]), base, levels, rng.choice([2, 3, 4, 5]), height, width)


def stage_names(levels: int) -> list[str]:
    """The stages of the worksheet: the reference U-Net's modules, in the order they run."""
    names = ["init_conv"]
    for i in range(1, levels + 1):
        names += [f"down{i}.res_block", f"down{i}.downsample", f"down{i}_proj"]
    names.append("bottleneck")
    for i in range(levels, 0, -1):
        names += [f"up{i}.upsample", f"up{i}.concat", f"up{i}.res_block"]
    return [*names, "final_conv"]


# The seed of the shipped starter.py (and of the bug catalog's worksheets).
STARTER_SEED = 9

STARTER_DOC = (
    '"""U-Net shape worksheet: the lesson\'s Q3 for a config of its own.\n'
    '\n'
    "Write the output shape of every stage of the lesson's U-Net, generalised to `levels` encoder\n"
    'levels, for the config your seed draws. The seed below draws:\n'
    '\n'
    '    {description}\n'
    '\n'
    'The U-Net: init_conv (3×3 conv to base_channels); encoder level i (1 … levels) works at\n'
    'base_channels·2^(i−1) channels: down{i}.res_block keeps the width (its output is skip i),\n'
    "down{i}.downsample is rearrange pooling, down{i}_proj is a 1×1 conv to twice the level's width.\n"
    'The bottleneck keeps the deepest width. Decoder level i: up{i}.upsample (nearest, ×2),\n'
    "up{i}.concat (torch.cat([x, skip i], dim=1)), up{i}.res_block back to level i's width. final_conv\n"
    'returns in_channels.\n'
    '\n'
    'Write each shape as a tuple of ints (B, C, H, W). For a new worksheet, change the seed and run\n'
    '`drill run unet_shapes`: it shows the new config and, when the stages differ, the keys to fill in.\n'
    '"""\n'
    '\n'
)


def starter_text(seed: int) -> str:
    """The learner's worksheet file for ``seed``: the task, the config, and one blank per stage."""
    sheet = draw(seed)
    blanks = "".join(f'        "{name}": None,\n' for name in stage_names(sheet.levels))
    body = f'WORKSHEET = {{\n    "seed": {seed},\n    "shapes": {{\n{blanks}    }},\n}}\n'
    return STARTER_DOC.replace("{description}", sheet.describe()) + body
