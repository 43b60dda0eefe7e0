"""Grading the U-Net shape worksheet: the learner writes the output shape of every stage of a
U-Net whose config is drawn from a seed. The answers come from ``reference.shape_flow`` run on the
reference U-Net for that config; nothing here is a table typed by hand.

``shape.worksheet`` checks the worksheet's keys; each stage is a line of the group
``shape.line.*``, which shares its points among as many lines as the drawn config has stages. A
catalogued mistake is named when it explains most of the lines it would change.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import torch

from drills.unet_shapes.worksheet import Worksheet, draw, stage_names
from engine.drills.capture import Attempt, entry
from engine.drills.grading import Grading, Verdict, failed, passed
from engine.drills.plugin import DrillChecks
from engine.drills.records import ProbeRecord
from reference import UNet, shape_flow

Shapes = dict[str, tuple[int, ...]]


def answers(sheet: Worksheet) -> Shapes:
    """The output shape of every stage, measured on the reference U-Net."""
    model = UNet(in_channels=sheet.in_channels, base_channels=sheet.base_channels, time_emb_dim=8, levels=sheet.levels)
    x = torch.zeros(sheet.batch, sheet.in_channels, sheet.height, sheet.width)
    flow = shape_flow(model, x, torch.zeros(sheet.batch, dtype=torch.long), names=stage_names(sheet.levels))
    return {step.name: step.shapes[0] for step in flow}


def _plain(value: Any) -> list[int] | str | None:
    """A learner's answer as a tuple of ints, None when blank, or its repr when it is something else."""
    if value is None:
        return None
    try:
        items = tuple(value)
        if all(isinstance(item, int) and not isinstance(item, bool) for item in items):
            return [int(item) for item in items]
    except TypeError:
        pass
    return repr(value)[:80]


# ---- the catalog: whole-worksheet mistakes, applied to the true shapes -------------------------


def _no_batch(truth: Shapes) -> Shapes:
    return {stage: shape[1:] for stage, shape in truth.items()}


def _channels_last(truth: Shapes) -> Shapes:
    return {stage: (b, h, w, c) for stage, (b, c, h, w) in truth.items()}


def _on(kind: str, change: Callable[[tuple[int, ...], tuple[int, ...]], tuple[int, ...]]) -> Callable[[Shapes], Shapes]:
    def mistake(truth: Shapes) -> Shapes:
        stages = list(truth)
        return {
            stage: change(truth[stage], truth[stages[index - 1]])
            for index, stage in enumerate(stages)
            if stage.endswith(kind)
        }

    return mistake


def _upsample_halves_channels(truth: Shapes) -> Shapes:
    wrong: Shapes = {}
    stages = list(truth)
    for index, stage in enumerate(stages):
        if stage.endswith(".upsample"):
            b, c, h, w = truth[stage]
            wrong[stage] = (b, c // 2, h, w)
            skip_channels = truth[stages[index + 1]][1] - c
            wrong[stages[index + 1]] = (b, c // 2 + skip_channels, h, w)
    return wrong


VARIANTS: dict[str, Callable[[Shapes], Shapes]] = {
    "shapes.no_batch": _no_batch,
    "shapes.channels_last": _channels_last,
    "shapes.rearrange_doubles_channels": _on(".downsample", lambda s, before: (s[0], s[1] // 2, s[2], s[3])),
    "shapes.concat_without_skip": _on(".concat", lambda s, before: before),
    "shapes.concat_doubles": _on(".concat", lambda s, before: (s[0], 2 * before[1], s[2], s[3])),
    "shapes.upsample_halves_channels": _upsample_halves_channels,
}


def diagnoses(truth: Shapes, given: dict[str, Any]) -> list[str]:
    """Mistakes that explain most of the lines they would change, dropping any explained by a larger one."""
    explained: dict[str, set[str]] = {}
    for key, mistake in VARIANTS.items():
        changed = {stage: shape for stage, shape in mistake(truth).items() if tuple(shape) != truth[stage]}
        hits = {stage for stage, shape in changed.items() if given.get(stage) == list(shape)}
        if hits and 2 * len(hits) > len(changed):
            explained[key] = hits
    kept = [key for key in explained if not any(explained[key] < other for other in explained.values())]
    return sorted(kept, key=lambda key: -len(explained[key]))


def _line_verdict(stage: str, given: list[int] | str | None, expected: tuple[int, ...]) -> Verdict:
    if given is None:
        return failed(f"{stage}: not filled in yet")
    if isinstance(given, str):
        return failed(f"{stage}: {given} is not a shape; write a tuple of ints such as (2, 16, 8, 8)")
    if tuple(given) == expected:
        return passed(f"{stage}: {tuple(given)}")
    if len(given) != len(expected):
        return failed(f"{stage}: {tuple(given)} has {len(given)} dimensions; this output has {len(expected)} (B, C, H, W)")
    wrong = [name for name, a, b in zip(("batch", "channels", "height", "width"), given, expected) if a != b]
    listed = wrong[0] if len(wrong) == 1 else ", ".join(wrong[:-1]) + " and " + wrong[-1]
    return failed(f"{stage}: {tuple(given)} — wrong {listed}")


class UnetShapes(DrillChecks):
    def probe(self, module: ModuleType, device: torch.device, attempt: Attempt) -> ProbeRecord:
        worksheet = entry(module, "WORKSHEET")
        if not isinstance(worksheet, dict) or not isinstance(worksheet.get("shapes"), dict):
            return {"problem": "WORKSHEET must be a dict with a 'seed' (an int) and 'shapes' (a dict of stage → shape)."}
        seed = worksheet.get("seed")
        if not isinstance(seed, int) or isinstance(seed, bool):
            return {"problem": "WORKSHEET['seed'] must be an int."}
        return {"seed": seed, "shapes": {str(key): _plain(value) for key, value in worksheet["shapes"].items()}}

    def grade(self, record: ProbeRecord, device: torch.device, grading: Grading) -> None:
        if "problem" in record:
            grading.check("shape.worksheet", failed(record["problem"]))
            return
        sheet = draw(record["seed"])
        truth = answers(sheet)
        given = record["shapes"]
        if any(stage not in given for stage in truth) or any(stage not in truth for stage in given):
            keys = failed(
                f"Worksheet {sheet.describe()}. Its stages differ from the ones in your file.",
                "fill in exactly these keys, in this order:\n" + "\n".join(f'  "{stage}": None,' for stage in truth),
            )
        else:
            keys = passed(f"Worksheet {sheet.describe()}")
        grading.check("shape.worksheet", keys)
        for stage, expected in truth.items():
            grading.check(f"shape.line.{stage}", _line_verdict(stage, given.get(stage), expected))
        for key in diagnoses(truth, given):
            grading.diagnose(key)


checks = UnetShapes()
