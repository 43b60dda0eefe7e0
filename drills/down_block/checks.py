"""Grading DownBlock: the learner writes __init__ and forward; the reference's weights are loaded
into their ``res_block`` (same state_dict keys as ``reference.DownBlock``) and both outputs, the
skip and the downsampled map, are compared."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from drills.common.space_to_depth import plain_reshape, wrong_order_like
from engine.drills import compare
from engine.drills.toolkit.modules import ModuleCase, ModuleDrill
from reference import DownBlock, rearrange_downsample


def _case(name, c_in, c_out, t_dim, shape):
    def inputs(device):
        generator = torch.Generator().manual_seed(6200 + len(name))
        return torch.randn(shape, generator=generator).to(device), torch.randn(shape[0], t_dim, generator=generator).to(device)

    return ModuleCase(name, f"in={c_in}, out={c_out}, x {shape}", (c_in, c_out, t_dim), inputs)


def _with_down(make_down):
    def forward(block, x, t_emb):
        skip = block.res_block(x, t_emb)
        return skip, make_down(skip)

    return forward


def _swapped_outputs(block, x, t_emb):
    skip = block.res_block(x, t_emb)
    return rearrange_downsample(skip), skip


def _skip_is_input(block, x, t_emb):
    return x, rearrange_downsample(block.res_block(x, t_emb))


def _downsample_input(block, x, t_emb):
    return block.res_block(x, t_emb), rearrange_downsample(x)


class DownBlockDrill(ModuleDrill):
    entry = "DownBlock"
    input_names = ("x", "t_emb")
    weight_seed = 6100
    layout_hint = "res_block = ResidualBlock(in_channels, out_channels, time_emb_dim), nothing else with weights"
    trace_ops = True
    # The input's batch equals its width in "same".
    cases = (
        _case("widen", 8, 16, 12, (3, 8, 6, 10)),
        _case("same", 16, 16, 10, (4, 16, 8, 4)),
        _case("square", 16, 24, 8, (2, 16, 4, 4)),
    )
    variants = (
        ("downblock.swapped_outputs", _swapped_outputs),
        ("downblock.skip_is_input", _skip_is_input),
        ("downblock.downsample_input", _downsample_input),
        ("downblock.max_pool", _with_down(lambda skip: F.max_pool2d(skip, 2))),
        ("downblock.plain_reshape", _with_down(plain_reshape)),
    )

    def reference_module(self, case):
        return DownBlock(*case.args)

    def layout(self, case, captured, expected, device):
        verdict = compare.sequence("DownBlock", captured, 2)
        if not verdict.ok:
            return verdict
        skip, down = captured["items"]
        verdict = compare.layout("The skip (first output)", skip, tuple(expected[0].shape), torch.float32, device)
        if verdict.ok:
            verdict = compare.layout("The downsampled map (second output)", down, tuple(expected[1].shape), torch.float32, device)
        return verdict

    def values(self, case, observed, expected):
        verdict = compare.values(f"The skip for {case.label}", observed[0], expected[0], atol=self.atol)
        if verdict.ok:
            verdict = compare.values(f"The downsampled map for {case.label}", observed[1], expected[1], atol=self.atol)
        return verdict

    def outputs_for_diagnosis(self, call, variant_module, inputs, device):
        observed, predicted = super().outputs_for_diagnosis(call, variant_module, inputs, device)
        if isinstance(observed, tuple) and len(observed) == 2:
            # Any wrong channel order of the rearrange is the same mistake: predict the one the learner made.
            with torch.no_grad():
                skip = variant_module.res_block(*inputs)
            predicted["downblock.channel_order"] = [(skip, wrong_order_like(skip, observed[1]))]
        return observed, predicted


checks = DownBlockDrill()
