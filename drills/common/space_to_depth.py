"""Space-to-depth, the lesson's rearrange pooling, the channel orders a learner may get wrong, and
what a wrong rearrangement did with the pixels: shared by the rearrange_downsample and down_block checks."""

from __future__ import annotations

from collections.abc import Callable

import torch
from einops import rearrange

from engine.drills import compare

WRONG_ORDERS = ("(c p2 p1)", "(p1 c p2)", "(p1 p2 c)", "(p2 p1 c)", "(p2 c p1)")


def space_to_depth(channels: str = "(c p1 p2)", spatial: str = "h w") -> Callable[[torch.Tensor], torch.Tensor]:
    return lambda x: rearrange(x, f"b c (h p1) (w p2) -> b {channels} {spatial}", p1=2, p2=2)


def plain_reshape(x: torch.Tensor) -> torch.Tensor:
    """A reshape straight to (B, 4C, H/2, W/2): the right shape, pixels from the wrong places."""
    b, c, h, w = x.shape
    return x.reshape(b, 4 * c, h // 2, w // 2)


def wrong_order_like(x: torch.Tensor, observed: torch.Tensor | None) -> torch.Tensor:
    """Of the wrong channel orders, the one that reproduces the learner's output (else '(p1 p2 c)'):
    any of them is the same mistake."""
    layouts = [space_to_depth(order)(x) for order in WRONG_ORDERS]
    same = [y for y in layouts if observed is not None and y.shape == observed.shape and compare.matches(observed, y)]
    return (same or [space_to_depth("(p1 p2 c)")(x)])[0]


# ---- reading a learner's rearrangement off where its pixels came from ----------------------------

# Mistakes read off the source map that the catalog does not list: key suffix -> (title, explanation, hint).
MISPLACEMENTS = {
    "quadrants": (
        "The four channels come from the four quadrants, not from each 2×2 patch",
        "H and W were split as (2, H/2) and (2, W/2) instead of (H/2, 2) and (W/2, 2): output channel 4c + k holds "
        "one whole quadrant of the image, so the output pixel (i, j) gathers pixels that lie half an image apart "
        "instead of the four neighbours of its 2×2 patch.",
        "Split each spatial axis with the patch offset as the inner, size-2 factor: (B, C, H/2, 2, W/2, 2).",
    ),
    "mixes_batch": (
        "Pixels move between the samples of the batch",
        "Some output values of one sample are copied from another sample: the batch axis took part in the "
        "rearrangement, so the images of a batch are mixed together.",
        "Leave the batch axis where it is: every reshape and permute keeps it first and untouched.",
    ),
    "keeps_one_pixel": (
        "Only one pixel of each 2×2 patch is kept",
        "The output is a strided slice of the input (every second row and column): it keeps one of the four values "
        "of each patch and drops the other three, with C channels instead of 4C.",
        "Keep all four offsets of each patch and move them into the channel axis: (B, C, H, W) → (B, 4C, H/2, W/2).",
    ),
    "sum_pool": (
        "Each 2×2 patch is summed",
        "Every output value is the sum of the four values of a 2×2 patch: a pooling, which loses information and "
        "returns C channels instead of 4C.",
        "Move the 2×2 offsets into the channel axis instead of reducing over them.",
    ),
    "pixels_misplaced": (
        "The values are all there, in the wrong places",
        "The output holds exactly the input's values, but not where space-to-depth puts them.",
        "Output channel 4c + 2·p1 + p2 at (i, j) must hold input channel c at (2i + p1, 2j + p2): "
        "in einops 'b c (h p1) (w p2) -> b (c p1 p2) h w'.",
    ),
}


def _where(src: torch.Tensor, at: tuple[int, ...]) -> str:
    b, c, h, w = (int(v) for v in src[at])
    return f"sample {b}, channel {c}, row {h}, column {w}"


def _right_source(at: tuple[int, ...]) -> str:
    b, k, i, j = at
    return f"sample {b}, channel {k // 4}, row {2 * i + (k % 4) // 2}, column {2 * j + k % 2}"


def misplacement(x: torch.Tensor, y: torch.Tensor, src: torch.Tensor) -> tuple[str, str]:
    """What a rearrangement did, read off ``src`` (for each value of ``y``, its coordinates in ``x``):
    a mistake's key suffix (a catalog key's or one of :data:`MISPLACEMENTS`), and an example, or ("", "")."""
    if x.ndim != 4 or y.ndim != 4:
        return "", ""
    batch, channels, height, width = x.shape
    b, _, h, w = src.unbind(-1)
    samples = torch.arange(y.shape[0]).view(-1, 1, 1, 1)
    rows, cols = torch.arange(y.shape[2]).view(1, 1, -1, 1), torch.arange(y.shape[3]).view(1, 1, 1, -1)
    if y.shape[0] != batch or bool((b != samples).any()):
        at = tuple(int(v) for v in (b != samples).nonzero()[0]) if y.shape[0] == batch else (0, 0, 0, 0)
        return "mixes_batch", f"your output's sample {at[0]} holds, at channel {at[1]}, row {at[2]}, column {at[3]}, {_where(src, at)}"
    if tuple(y.shape) == (batch, channels, height // 2, width // 2):
        offsets = torch.stack([h - 2 * rows, w - 2 * cols]).flatten(1)
        if bool((offsets >= 0).all()) and bool((offsets <= 1).all()) and bool((offsets == offsets[:, :1]).all()):
            corner = f"({int(offsets[0, 0])}, {int(offsets[1, 0])})"
            return "keeps_one_pixel", f"every output value is the input's pixel at offset {corner} of its patch"
        return "", ""
    if y.numel() != x.numel() or y.shape[1] != 4 * channels:
        return "", ""
    in_patch = (h // 2 == rows) & (w // 2 == cols)
    if bool(in_patch.all()):
        return "wrong_channel_order", ""
    if y.shape[2] == width // 2 and y.shape[3] == height // 2 and bool(((h // 2 == cols) & (w // 2 == rows)).all()):
        return "spatial_transposed", ""
    if bool(((h % (height // 2) == rows) & (w % (width // 2) == cols)).all()):
        return "quadrants", ""
    at = tuple(int(v) for v in (~in_patch).nonzero()[0])
    example = f"your channel {at[1]} at row {at[2]}, column {at[3]} holds {_where(src, at)}; it should hold {_right_source(at)}"
    return "pixels_misplaced", example


def patch_sums(x: torch.Tensor) -> torch.Tensor:
    """Each 2×2 patch summed: (B, C, H/2, W/2)."""
    return rearrange(x, "b c (h p1) (w p2) -> b c h w (p1 p2)", p1=2, p2=2).sum(-1)
