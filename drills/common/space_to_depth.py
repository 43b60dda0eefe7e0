"""Space-to-depth, the lesson's rearrange pooling, and the channel orders a learner may get wrong:
shared by the rearrange_downsample and down_block checks."""

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
