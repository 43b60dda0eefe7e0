"""Grading rearrange_downsample: the exact space-to-depth layout of the lesson (channel 4c + 2·p1 + p2
holds offset (p1, p2) of input channel c), whichever way it is written."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from einops import rearrange

from engine.drills import compare
from engine.drills.capture import entry
from engine.drills.modules import matching_keys, run_variant
from reference import rearrange_downsample

# Batch, channels, height and width all differ in "mixed"; the batch equals the width in
# "batch_is_width"; "square" lets a height/width swap keep the shape.
CASES = {
    "mixed": (3, 2, 6, 10),
    "batch_is_width": (4, 3, 8, 4),
    "square": (2, 5, 4, 4),
}

WRONG_ORDERS = ["(c p2 p1)", "(p1 c p2)", "(p1 p2 c)", "(p2 p1 c)", "(p2 c p1)"]


def make_input(name: str, device: torch.device) -> torch.Tensor:
    generator = torch.Generator().manual_seed(300 + len(name))
    return torch.randn(CASES[name], generator=generator).to(device)


def probe(module, device, attempt):
    downsample = entry(module, "rearrange_downsample")
    return {name: attempt(downsample, make_input(name, device)) for name in CASES}


def _space_to_depth(channels: str, spatial: str = "h w"):
    return lambda x: rearrange(x, f"b c (h p1) (w p2) -> b {channels} {spatial}", p1=2, p2=2)


def _plain_reshape(x):
    b, c, h, w = x.shape
    return x.reshape(b, 4 * c, h // 2, w // 2)


VARIANTS = {
    "rearrange.wrong_channel_order": _space_to_depth("(p1 p2 c)"),
    "rearrange.spatial_transposed": _space_to_depth("(c p1 p2)", "w h"),
    "rearrange.max_pool": lambda x: F.max_pool2d(x, 2),
    "rearrange.avg_pool": lambda x: F.avg_pool2d(x, 2),
    "rearrange.plain_reshape": _plain_reshape,
}


def wrong_order_like(x: torch.Tensor, observed) -> torch.Tensor:
    """Of the five wrong channel orders, the one that reproduces the learner's output (else '(p1 p2 c)'):
    any of them is the same mistake."""
    layouts = [_space_to_depth(order)(x) for order in WRONG_ORDERS]
    same = [y for y in layouts if observed is not None and y.shape == observed.shape and compare.matches(observed, y)]
    return (same or [VARIANTS["rearrange.wrong_channel_order"](x)])[0]


def _predictions(x: torch.Tensor, observed) -> dict:
    predictions = {key: run_variant(variant, x) for key, variant in VARIANTS.items()}
    predictions["rearrange.wrong_channel_order"] = wrong_order_like(x, observed)
    return predictions


def grade(calls, device, grading):
    gradable = True
    cases = []
    for name in CASES:
        x = make_input(name, device)
        expected = rearrange_downsample(x)
        call = calls[name]
        observed = call["value"]["data"] if call["ok"] and call["value"].get("kind") == "tensor" else None
        cases.append((observed, _predictions(x, observed)))
        if not call["ok"]:
            gradable = False
            grading.error(f"shape.{name}", "shape", f"Your function raised on an input of shape {tuple(x.shape)}:\n{call['error']}")
            grading.skip(f"formula.{name}", "formula", "Not checked: your function raised.", points=2.0)
            continue
        layout = compare.layout(f"The output for an input of shape {tuple(x.shape)}", call["value"], expected.shape, expected.dtype, device)
        if not grading.check(f"shape.{name}", "shape", layout):
            gradable = False
            grading.skip(f"formula.{name}", "formula", "Not checked: fix the shape first.", points=2.0)
            continue
        verdict = compare.values(f"Your output for the '{name}' input", observed, expected, atol=0.0, rtol=0.0)
        grading.check(f"formula.{name}", "formula", verdict, points=2.0)
    for key in matching_keys(cases):
        grading.diagnose(key)
    grading.catalog_check(gradable)
