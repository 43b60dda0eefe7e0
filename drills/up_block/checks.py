"""Grading UpBlock: the learner writes __init__ and forward; the reference's weights are loaded
into their block (same state_dict keys as ``reference.UpBlock``) and the outputs compared.
Also graded: gradients reach both x and the skip. debug_up_block is graded by these checks.
"""

from __future__ import annotations

import torch

from engine.drills.toolkit.modules import SENSITIVITY, ModuleCase, ModuleDrill, called
from reference import UpBlock


def _case(name, c_in, c_skip, c_out, t_dim, shape):
    b, _, h, w = shape

    def inputs(device, full_size_x=False):
        generator = torch.Generator().manual_seed(5200 + len(name))
        x = torch.randn(b, c_in, h, w, generator=generator)
        skip = torch.randn(b, c_skip, 2 * h, 2 * w, generator=generator)
        t_emb = torch.randn(b, t_dim, generator=generator)
        if full_size_x:
            x = torch.randn(b, c_in, 2 * h, 2 * w, generator=generator)
        return x.to(device), skip.to(device), t_emb.to(device)

    # Called with x already at the skip's size, a block that upsamples after concatenating runs.
    return ModuleCase(
        name, f"in={c_in}, skip={c_skip}, out={c_out}, x {shape}", (c_in, c_skip, c_out, t_dim), inputs,
        more_calls={"full_size": lambda device: inputs(device, full_size_x=True)},
    )


def _concat_order(block, x, skip, t_emb):
    return block.res_block(torch.cat([skip, block.upsample(x)], dim=1), t_emb)


def _upsample_after_concat(block, x, skip, t_emb):
    return block.res_block(block.upsample(torch.cat([x, skip], dim=1)), t_emb)


class UpBlockDrill(ModuleDrill):
    entry = "UpBlock"
    input_names = ("x", "skip", "t_emb")
    weight_seed = 5100
    layout_hint = "res_block = ResidualBlock(in_channels + skip_channels, out_channels, time_emb_dim)"
    gradient_inputs = ("x", "skip")
    must_matter = ("skip", "t_emb")
    trace_ops = True
    # The skip is twice as large as x. In "equal" the output's batch equals its width and every
    # width is the same, so a swapped concatenation still runs; elsewhere in ≠ skip ≠ out.
    cases = (
        _case("lesson_like", 16, 8, 8, 12, (3, 16, 3, 5)),
        _case("equal", 16, 16, 16, 10, (4, 16, 3, 2)),
        _case("wide", 24, 8, 16, 12, (2, 24, 2, 3)),
    )
    variants = (
        ("upblock.concat_order", _concat_order),
        ("upblock.upsample_after_concat", _upsample_after_concat),
    )

    def reference_module(self, case):
        return UpBlock(*case.args)

    def recognised(self, record):
        ran = [(case, record[case.name]) for case in self.cases if "output" in record[case.name]]
        # A concatenation along the batch axis raises: its error names that mistake better than "skip unused".
        joined_batch = any(not call["output"]["ok"] and "except in dimension 0" in call["output"]["error"] for _, call in ran)
        keys = []
        if not joined_batch and any(_skip_unused(case, call) for case, call in ran):
            keys.append("upblock.skip_unused")
        if any(_wrong_out_channels(case, call) for case, call in ran):
            keys.append("upblock.wrong_out_channels")
        if not keys and any(_skip_detached(call) for _, call in ran):
            keys.append("upblock.skip_detached")
        return keys


def _skip_unused(case, call) -> bool:
    """The res_block was built for, or received, the upsampled x alone: in_channels, not in + skip."""
    c_in = case.args[0]
    built_narrow = any(key == "res_block.conv1.weight" and theirs[1] == c_in for key, _, theirs in call["alignment"]["mismatched"])
    fed_narrow = any(shapes and shapes[0][1] == c_in for shapes in called(call["trace"], "res_block.conv1"))
    return built_narrow or fed_narrow


def _skip_detached(call) -> bool:
    """The skip changes the output, yet no gradient reaches it: it went through .detach() or no_grad."""
    moved = call.get("dependence", {}).get("skip")
    changes = moved is not None and moved[0] > SENSITIVITY * max(moved[1], 1e-6)
    return changes and call.get("gradients", {}).get("x") == "flows" and call["gradients"]["skip"] != "flows"


def _wrong_out_channels(case, call) -> bool:
    c_out = case.args[2]
    return any(key == "res_block.conv1.weight" and theirs[0] != c_out for key, _, theirs in call["alignment"]["mismatched"])


checks = UpBlockDrill()
