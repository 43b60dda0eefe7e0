"""Grading DownBlock: the learner writes __init__ and forward; the reference's weights are loaded
into their ``res_block`` (same state_dict keys as ``reference.DownBlock``) and both outputs, the
skip and the downsampled map, are compared."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from drills.rearrange_downsample.checks import wrong_order_like
from engine.drills import compare
from engine.drills.capture import entry
from engine.drills.grading import failed, passed
from engine.drills.modules import (
    aligned,
    alignment_message,
    build,
    load_reference_weights,
    matching_keys,
    run_variant,
    seeded,
    strict_numerics,
)
from reference import DownBlock, rearrange_downsample

# (in_channels, out_channels, time_emb_dim, x shape): the input's batch equals its width in "same".
CASES = {
    "widen": (8, 16, 12, (3, 8, 6, 10)),
    "same": (16, 16, 10, (4, 16, 8, 4)),
    "square": (16, 24, 8, (2, 16, 4, 4)),
}
WEIGHT_SEED = 6100
VALUE_TOLERANCE = 1e-4


def reference_block(name: str) -> DownBlock:
    c_in, c_out, t_dim, _ = CASES[name]
    return seeded(lambda: DownBlock(c_in, c_out, t_dim), WEIGHT_SEED + list(CASES).index(name))


def make_inputs(name: str, device: torch.device):
    _, _, t_dim, shape = CASES[name]
    generator = torch.Generator().manual_seed(6200 + len(name))
    return torch.randn(shape, generator=generator).to(device), torch.randn(shape[0], t_dim, generator=generator).to(device)


def probe(module, device, attempt):
    strict_numerics()
    block_class = entry(module, "DownBlock")
    calls = {}
    for name, (c_in, c_out, t_dim, _) in CASES.items():
        block, built = build(attempt, block_class, c_in, c_out, t_dim)
        if block is None:
            calls[name] = {"built": built}
            continue
        report = load_reference_weights(block, reference_block(name).state_dict())
        with torch.no_grad():
            output = attempt(block.to(device), *make_inputs(name, device))
        calls[name] = {"built": built, "alignment": report, "output": output}
    return calls


def _plain_reshape(skip):
    b, c, h, w = skip.shape
    return skip.reshape(b, 4 * c, h // 2, w // 2)


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


VARIANTS = {
    "downblock.swapped_outputs": _swapped_outputs,
    "downblock.skip_is_input": _skip_is_input,
    "downblock.downsample_input": _downsample_input,
    "downblock.max_pool": _with_down(lambda skip: F.max_pool2d(skip, 2)),
    "downblock.channel_order": _with_down(lambda skip: wrong_order_like(skip, None)),
    "downblock.plain_reshape": _with_down(_plain_reshape),
}


def _observed(record: dict):
    """The learner's (skip, down) as tensors, a lone tensor, or None."""
    if not record["ok"]:
        return None
    value = record["value"]
    if value.get("kind") == "tensor":
        return value["data"]
    if value.get("kind") == "seq" and all(item.get("kind") == "tensor" for item in value["items"]):
        return tuple(item["data"] for item in value["items"])
    return None


def _predictions(block: nn.Module, x, t_emb, observed) -> dict:
    predictions = {key: run_variant(variant, block, x, t_emb) for key, variant in VARIANTS.items()}
    if isinstance(observed, tuple) and len(observed) == 2:
        skip = predictions["downblock.channel_order"][0]
        predictions["downblock.channel_order"] = (skip, wrong_order_like(skip, observed[1]))
    return predictions


def _layout(record: dict, skip_shape, down_shape, device):
    verdict = compare.sequence("DownBlock", record["value"], 2)
    if not verdict.ok:
        return verdict
    skip, down = record["value"]["items"]
    verdict = compare.layout("The skip (first output)", skip, skip_shape, torch.float32, device)
    if verdict.ok:
        verdict = compare.layout("The downsampled map (second output)", down, down_shape, torch.float32, device)
    return verdict


def _parameters_verdict(calls: dict):
    misaligned = [call["alignment"] for call in calls.values() if not aligned(call["alignment"])]
    if misaligned:
        return failed(
            "Your block's parameters do not line up with the reference DownBlock's "
            "(res_block = ResidualBlock(in_channels, out_channels, time_emb_dim), nothing else with weights):",
            alignment_message(misaligned[0]),
        )
    return passed("Your block has the reference's parameters, so its weights were loaded into yours")


def grade(calls, device, grading):
    strict_numerics()
    if all("alignment" in call for call in calls.values()):
        gradable = grading.check("shape.parameters", "shape", _parameters_verdict(calls))
    else:
        gradable = False
        grading.skip("shape.parameters", "shape", "Not checked: your block could not be built.")
    cases = []
    for name, (c_in, c_out, t_dim, shape) in CASES.items():
        call = calls[name]
        b, _, h, w = shape
        if "output" not in call:
            gradable = False
            grading.error(f"shape.{name}", "shape", f"Your __init__ raised for ({c_in}, {c_out}, {t_dim}):\n{call['built']['error']}")
            grading.skip(f"formula.{name}", "formula", "Not checked: your block could not be built.", points=2.0)
            continue
        x, t_emb = make_inputs(name, device)
        block = reference_block(name).to(device)
        observed = _observed(call["output"])
        cases.append((observed, _predictions(block, x, t_emb, observed)))
        if not call["output"]["ok"]:
            gradable = False
            grading.error(f"shape.{name}", "shape", f"Your forward raised for x {shape}:\n{call['output']['error']}")
            grading.skip(f"formula.{name}", "formula", "Not checked: your forward raised.", points=2.0)
            continue
        if not grading.check(f"shape.{name}", "shape", _layout(call["output"], (b, c_out, h, w), (b, 4 * c_out, h // 2, w // 2), device)):
            gradable = False
            grading.skip(f"formula.{name}", "formula", "Not checked: fix the shapes first.", points=2.0)
            continue
        if not aligned(call["alignment"]):
            grading.skip(f"formula.{name}", "formula", "Not checked: the reference's weights could not be loaded.", points=2.0)
            continue
        with torch.no_grad():
            skip, down = block(x, t_emb)
        verdict = compare.values(f"The skip for x {shape}", observed[0], skip, atol=VALUE_TOLERANCE)
        if verdict.ok:
            verdict = compare.values(f"The downsampled map for x {shape}", observed[1], down, atol=VALUE_TOLERANCE)
        grading.check(f"formula.{name}", "formula", verdict, points=2.0)
    for key in matching_keys(cases, atol=VALUE_TOLERANCE):
        grading.diagnose(key)
    grading.catalog_check(gradable)
