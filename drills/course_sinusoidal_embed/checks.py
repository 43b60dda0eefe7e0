"""Grading the course's SinusoidalPositionEmbedBlock (no weights): its features are compared with
the reference's for times in [0, 1], the range the U-Net gives it (t / T).

The course spaces its frequencies with ln(10000)/(half − 1), so they run from 1 down to exactly
1/10000; the lessons divide by half. That confusion, and the usual layout slips, are named.
"""

from __future__ import annotations

import math

import torch

from engine.drills.toolkit.modules import ModuleCase, ModuleDrill
from reference.course import SinusoidalPositionEmbedBlock


def _case(name, dim, times):
    def inputs(device):
        return (torch.tensor(times, dtype=torch.float32, device=device),)

    return ModuleCase(name, f"dim={dim}, time {times}", (dim,), inputs)


def _features(denominator=lambda half: half - 1, sign=-1.0, order="sin_cos", outer=True):
    """A variant of the course's features, with one slip."""

    def forward(block, time):
        half = block.dim // 2
        # the step first, as the course writes it: rising frequencies reach 10000 rad per unit
        # of time, where another order of the same float32 operations drifts by 1e-3
        step = math.log(10000) / denominator(half)
        freqs = torch.exp(torch.arange(half, device=time.device) * (sign * step))
        angles = time[:, None] * freqs[None, :] if outer else time * freqs
        sines, cosines = angles.sin(), angles.cos()
        if order == "interleaved":
            return torch.stack((sines, cosines), dim=-1).flatten(-2)
        return torch.cat((cosines, sines) if order == "cos_sin" else (sines, cosines), dim=-1)

    return forward


class SinusoidalDrill(ModuleDrill):
    entry = "SinusoidalPositionEmbedBlock"
    input_names = ("time",)
    weight_seed = 3600
    loads_weights = False
    output_name = "The features"
    # In "course" the batch equals half of dim (a missing [:, None] broadcasts instead of
    # failing); "course" has the U-Net's t_embed_dim of 8.
    cases = (
        _case("course", 8, [0.0, 0.25, 0.5, 0.99]),
        _case("wide", 16, [0.0, 0.1, 0.37, 0.6, 0.93]),
        _case("wider", 32, [0.05, 0.5, 0.75]),
    )
    variants = (
        ("sine.lesson_frequencies", _features(denominator=lambda half: half)),
        ("sine.cos_first", _features(order="cos_sin")),
        ("sine.interleaved", _features(order="interleaved")),
        ("sine.rising_frequencies", _features(sign=1.0)),
        ("sine.no_outer_product", _features(outer=False)),
    )

    def reference_module(self, case):
        return SinusoidalPositionEmbedBlock(*case.args)


checks = SinusoidalDrill()
