"""Grading the course's EmbedBlock: the reference's weights are loaded into the learner's block (by
name, or by position where only the names differ) and both run on the same inputs, including the
(B, 1, 1, 1, D) features that time steps of shape (B, 1, 1, 1) give in the course's sampler.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from engine.drills.toolkit.modules import ModuleCase, ModuleDrill
from reference.course import EmbedBlock


def _case(name, input_dim, emb_dim, shape):
    def inputs(device):
        return (torch.randn(shape, generator=torch.Generator().manual_seed(3700 + len(name))).to(device),)

    return ModuleCase(name, f"input_dim={input_dim}, emb_dim={emb_dim}, x {shape}", (input_dim, emb_dim), inputs)


def _hidden(block, x, act=F.gelu, flatten=True):
    linear1, linear2 = block.model[0], block.model[2]
    rows = x.view(-1, block.input_dim) if flatten else x
    return linear2(act(linear1(rows)))


class EmbedBlockDrill(ModuleDrill):
    entry = "EmbedBlock"
    input_names = ("x",)
    weight_seed = 3800
    layout_hint = "self.model = nn.Sequential(Linear(input_dim, emb_dim), GELU(), Linear(emb_dim, emb_dim), Unflatten(1, (emb_dim, 1, 1)))"
    # "time_features": sinusoidal features of t shaped (B, 1, 1, 1), as sample_w passes t.
    cases = (
        _case("time", 8, 128, (3, 8)),
        _case("context", 10, 64, (4, 10)),
        _case("time_features", 8, 32, (5, 1, 1, 1, 8)),
    )
    variants = (
        ("embed.not_unflattened", lambda block, x: _hidden(block, x)),
        ("embed.channels_last", lambda block, x: _hidden(block, x).view(-1, 1, 1, block.model[2].out_features)),
        ("embed.relu", lambda block, x: block.model[3](_hidden(block, x, act=F.relu))),
        ("embed.not_flattened", lambda block, x: block.model[3](_hidden(block, x, flatten=False))),
    )

    def reference_module(self, case):
        return EmbedBlock(*case.args)


checks = EmbedBlockDrill()
