"""Grading the course's UpBlock: the reference's weights are loaded into the learner's block (by
name, or by position where only the names differ), both run on the same (x, skip) pair, and
gradients must reach both inputs.

The course joins x and skip at the same size and lets the transposed convolution double it; the
lessons upsample x first and join it with a skip twice its size. That habit, and a skip that
never reaches the output, are named.
"""

from __future__ import annotations

import torch

from drills.common.course_probe import parameter_shapes
from engine.drills.capture import entry
from engine.drills.toolkit.modules import ModuleCase, ModuleDrill
from reference.course import UpBlock


def _case(name, in_chs, out_chs, group_size, shape):
    def inputs(device):
        generator = torch.Generator().manual_seed(3500 + len(name))
        x = torch.randn(shape, generator=generator)
        skip = torch.randn(shape, generator=generator)
        return x.to(device), skip.to(device)

    return ModuleCase(name, f"in={in_chs}, out={out_chs}, groups={group_size}, x and skip {shape}", (in_chs, out_chs, group_size), inputs)


def _concat_order(block, x, skip):
    return block.model(torch.cat((skip, x), 1))


class UpBlockDrill(ModuleDrill):
    entry = "UpBlock"
    input_names = ("x", "skip")
    weight_seed = 3400
    layout_hint = "self.model = nn.Sequential(ConvTranspose2d(2 * in_chs, out_chs, 2, 2), four GELUConvBlocks)"
    gradient_inputs = ("x", "skip")
    must_matter = ("skip",)
    trace_ops = True
    # In "square_batch" the output's batch equals its width and in = out, so joining in the
    # other order still runs.
    cases = (
        _case("narrow", 16, 8, 8, (3, 16, 4, 5)),
        _case("square_batch", 32, 32, 32, (4, 32, 3, 2)),
        _case("widen", 8, 16, 4, (2, 8, 3, 3)),
    )
    variants = (("upc.concat_order", _concat_order),)

    def reference_module(self, case):
        return UpBlock(*case.args)

    def probe(self, module, device, attempt):
        record = dict(super().probe(module, device, attempt))
        record["shapes"] = parameter_shapes(entry(module, self.entry), self.cases)
        return record

    def recognised(self, record):
        ran = [(case, record[case.name]) for case in self.cases if "output" in record[case.name]]
        narrow = [(case, call) for case, call in ran if _upsamples_x_alone(case, record["shapes"].get(case.name, {}))]
        if narrow and all("Sizes of tensors must match" in call["output"].get("error", "") for _, call in narrow):
            return ["upc.upsample_before_concat"]
        if narrow and all(call["output"]["ok"] and _ignores_skip(call) for _, call in narrow):
            return ["upc.skip_unused"]
        if any(call.get("gradients", {}).get("x") == "flows" and call["gradients"]["skip"] != "flows" for _, call in ran):
            return ["upc.skip_detached"]
        return []


def _upsamples_x_alone(case, shapes) -> bool:
    """A 2×2 transposed convolution built for x's channels alone (weight (in_chs, ·, 2, 2), not (2·in_chs, ·, 2, 2))."""
    in_chs = case.args[0]
    return any(len(shape) == 4 and shape[0] == in_chs and shape[2:] == [2, 2] for shape in shapes.values())


def _ignores_skip(call) -> bool:
    change = call.get("dependence", {}).get("skip")
    return change is not None and change[0] <= 1e-6 * max(change[1], 1e-6)


checks = UpBlockDrill()
