"""Grading rearrange_downsample: the exact space-to-depth layout of the lesson (channel 4c + 2·p1 + p2
holds offset (p1, p2) of input channel c), whichever way it is written.

A wrong output is explained by the catalog first (the pooling layers, a plain reshape, the other
channel orders, depth-to-space). Otherwise, since the inputs are random floats whose values are all
distinct, every value a rearrangement returns names the pixel it was copied from: the map of those
sources says what went wrong (the quadrants instead of the patches, samples mixed, one pixel of each
patch kept), with an example of a misplaced value when no simpler name fits.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from drills.common.space_to_depth import MISPLACEMENTS, WRONG_ORDERS, misplacement, patch_sums, plain_reshape, space_to_depth
from engine.drills import compare
from engine.drills.results import Diagnosis
from engine.drills.toolkit.functions import Case, FunctionDrill, Observation
from engine.drills.toolkit.provenance import sources
from reference import rearrange_downsample

AREA = "rearrange"


def _case(name: str, shape: tuple[int, int, int, int]) -> Case:
    def inputs(device: torch.device) -> tuple[torch.Tensor]:
        generator = torch.Generator().manual_seed(300 + len(name))
        return (torch.randn(shape, generator=generator).to(device),)

    return Case(name, f"an input of shape {shape}", inputs)


class RearrangeDownsample(FunctionDrill):
    entry = "rearrange_downsample"
    area = AREA
    atol = rtol = 0.0
    # Batch, channels, height and width all differ in "mixed"; the batch equals the width in
    # "batch_is_width"; "square" lets a height/width swap keep the shape, and its channels divide by
    # four, so that depth-to-space (which needs that) runs there and shows what it does.
    cases = (
        _case("mixed", (3, 2, 6, 10)),
        _case("batch_is_width", (4, 3, 8, 4)),
        _case("square", (2, 4, 4, 4)),
    )
    variants = (
        *(("rearrange.wrong_channel_order", space_to_depth(order)) for order in WRONG_ORDERS),
        ("rearrange.spatial_transposed", space_to_depth("(c p1 p2)", "w h")),
        ("rearrange.max_pool", lambda x: F.max_pool2d(x, 2)),
        ("rearrange.avg_pool", lambda x: F.avg_pool2d(x, 2)),
        ("rearrange.plain_reshape", plain_reshape),
        ("rearrange.pixel_shuffle", lambda x: F.pixel_shuffle(x, 2)),
    )

    def reference(self, *inputs: torch.Tensor) -> torch.Tensor:
        return rearrange_downsample(*inputs)

    def _findings(self, observations: Sequence[Observation]) -> list[tuple[str, str]]:
        """What each output that only moved the input's values did with them, or summed them."""
        findings = []
        for observation in observations:
            y = observation.observed
            if not isinstance(y, torch.Tensor):
                continue
            x = observation.inputs[0]
            src = sources(x, y)
            if src is not None:
                findings.append(misplacement(x.cpu(), y.cpu(), src))
            elif y.shape == patch_sums(x).shape and compare.matches(y, patch_sums(x)):
                findings.append(("sum_pool", ""))
            else:
                findings.append(("", ""))
        return findings

    def _agreed(self, observations: Sequence[Observation]) -> tuple[str, str]:
        """The finding every output agrees on (the first example of it), or ("", "")."""
        findings = self._findings(observations)
        keys = {key for key, _ in findings}
        if len(keys) != 1 or "" in keys:
            return "", ""
        return findings[0]

    def recognised(self, observations: Sequence[Observation], device: torch.device) -> list[str]:
        key, _ = self._agreed(observations)
        return [f"{AREA}.{key}"] if key and key not in MISPLACEMENTS else []

    def open_diagnoses(self, observations: Sequence[Observation], device: torch.device) -> list[Diagnosis]:
        key, example = self._agreed(observations)
        if key not in MISPLACEMENTS:
            return []
        title, explanation, hint = MISPLACEMENTS[key]
        return [Diagnosis(f"{AREA}.{key}", title, f"{explanation} For example, {example}." if example else explanation, hint)]


checks = RearrangeDownsample()
