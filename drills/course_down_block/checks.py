"""Grading the course's DownBlock (with the RearrangePoolBlock it ends in): the reference's weights
are loaded into the learner's block (by name, or by position where only the names differ) and
both run on the same inputs. The operation trace names a downsampling done with another operation
than space-to-depth when the catalog does not explain the output.
"""

from __future__ import annotations

import torch

from drills.common.space_to_depth import WRONG_ORDERS, space_to_depth
from engine.drills.toolkit.modules import ModuleCase, ModuleDrill
from reference.course import DownBlock

POOL_CONV = "model.2.conv.model.0.weight"


def _case(name, in_chs, out_chs, group_size, shape):
    def inputs(device):
        return (torch.randn(shape, generator=torch.Generator().manual_seed(3300 + len(name))).to(device),)

    return ModuleCase(name, f"in={in_chs}, out={out_chs}, groups={group_size}, x {shape}", (in_chs, out_chs, group_size), inputs)


def _convs(block, x):
    return block.model[1](block.model[0](x))


def _wrong_order(order):
    return lambda block, x: block.model[2].conv(space_to_depth(order)(_convs(block, x)))


def _returns_skip(block, x):
    h = _convs(block, x)
    return h, block.model[2](h)


class DownBlockDrill(ModuleDrill):
    entry = "DownBlock"
    input_names = ("x",)
    weight_seed = 3200
    layout_hint = "self.model = nn.Sequential(GELUConvBlock, GELUConvBlock, RearrangePoolBlock) as the docstrings say"
    trace_ops = True
    # "square_batch": the output's batch equals its width; group_size 32 as in the U-Net.
    cases = (
        _case("widen", 8, 32, 8, (2, 8, 8, 12)),
        _case("square_batch", 32, 32, 32, (4, 32, 8, 8)),
        _case("from_image", 1, 16, 8, (3, 1, 4, 6)),
    )
    variants = (
        *(("downc.channel_order", _wrong_order(order)) for order in WRONG_ORDERS),
        ("downc.returns_skip", _returns_skip),
    )

    def reference_module(self, case):
        return DownBlock(*case.args)

    def recognised(self, record):
        """The pool's convolution sized for what a pooling keeps: C channels, or 4C without reducing them."""
        for case in self.cases:
            out_chs = case.args[1]
            for key, _, theirs in record[case.name].get("alignment", {}).get("mismatched", []):
                if key == POOL_CONV and theirs[:2] == [out_chs, out_chs]:
                    return ["downc.pooling_not_rearrange"]
                if key == POOL_CONV and theirs[:2] == [4 * out_chs, 4 * out_chs]:
                    return ["downc.pool_keeps_4x_channels"]
        return []


checks = DownBlockDrill()
