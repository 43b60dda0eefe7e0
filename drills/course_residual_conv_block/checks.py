"""Grading the course's ResidualConvBlock: the reference's weights are loaded into the learner's
block (by name, or by position where only the names differ) and both run on the same inputs.

The course's shortcut starts at the first block's output (x1 + conv2(x1)); the lessons'
ResidualBlock adds the block's input, through a 1×1 convolution when the widths differ. Both of
the lessons' habits are named.
"""

from __future__ import annotations

import torch

from drills.common.course_probe import parameter_shapes
from engine.drills.capture import entry
from engine.drills.toolkit.modules import ModuleCase, ModuleDrill
from reference.course import ResidualConvBlock


def _case(name, in_chs, out_chs, group_size, shape):
    def inputs(device):
        return (torch.randn(shape, generator=torch.Generator().manual_seed(3100 + len(name))).to(device),)

    return ModuleCase(name, f"in={in_chs}, out={out_chs}, groups={group_size}, x {shape}", (in_chs, out_chs, group_size), inputs)


def _shortcut_from_input(block, x):
    return block.conv2(block.conv1(x)) + x


def _no_shortcut(block, x):
    return block.conv2(block.conv1(x))


def _second_on_input(block, x):
    return block.conv1(x) + block.conv2(x)


class ResidualConvBlockDrill(ModuleDrill):
    entry = "ResidualConvBlock"
    input_names = ("x",)
    weight_seed = 3000
    layout_hint = "conv1 = GELUConvBlock(in_chs, out_chs, group_size), conv2 = GELUConvBlock(out_chs, out_chs, group_size)"
    # In "same" the widths agree (a shortcut from the input runs) and the batch equals the width.
    cases = (
        _case("widen", 3, 16, 8, (2, 3, 6, 10)),
        _case("same", 16, 16, 4, (4, 16, 5, 4)),
        _case("narrow", 24, 8, 4, (3, 24, 7, 7)),
    )
    variants = (
        ("rescb.shortcut_from_input", _shortcut_from_input),
        ("rescb.no_shortcut", _no_shortcut),
        ("rescb.second_block_on_input", _second_on_input),
    )

    def reference_module(self, case):
        return ResidualConvBlock(*case.args)

    def probe(self, module, device, attempt):
        record = dict(super().probe(module, device, attempt))
        record["shapes"] = parameter_shapes(entry(module, self.entry), self.cases)
        return record

    def recognised(self, record):
        """A 1×1 convolution from in_chs to out_chs (the course's block has none): the lessons' projected shortcut."""
        for case in self.cases:
            in_chs, out_chs, _ = case.args
            if any(shape == [out_chs, in_chs, 1, 1] for shape in record["shapes"].get(case.name, {}).values()):
                return ["rescb.projected_input_shortcut"]
        return []


checks = ResidualConvBlockDrill()
