"""Where each value of an output came from, when the output only moves the input's values around.

A rearrangement (space-to-depth, a transpose, a reshape, depth-to-space, a strided slice) returns
the input's own values in other places. When every value of the input is distinct (random floats
are), each value of the output names the element it was copied from: :func:`sources` gives, for
every output element, the coordinates of its source in the input, and says nothing (None) when the
output computed values of its own (a pooling, a sum) or the input repeats a value. A drill then
reads the mistake off the map: pixels taken from the wrong patch, from another sample, from one
corner only.
"""

from __future__ import annotations

import torch


def sources(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor | None:
    """For every element of ``y``, the coordinates in ``x`` of the element it equals: ``y.shape + (x.ndim,)``.

    None when some value of ``y`` is not in ``x`` exactly, or ``x`` holds a value twice (then a
    value does not name one place).
    """
    flat = x.detach().flatten().double().cpu()
    wanted = y.detach().flatten().double().cpu()
    if flat.numel() == 0 or wanted.numel() == 0 or not bool(torch.isfinite(wanted).all()):
        return None
    ordered, order = torch.sort(flat)
    if bool((ordered[1:] == ordered[:-1]).any()):
        return None
    position = torch.searchsorted(ordered, wanted).clamp(max=flat.numel() - 1)
    if not bool((ordered[position] == wanted).all()):
        return None
    return unravel(order[position], tuple(x.shape)).view(*y.shape, x.ndim)


def unravel(flat: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    """Flat indices as coordinates in ``shape``: (n,) -> (n, len(shape))."""
    coordinates = []
    rest = flat.clone()
    for size in reversed(shape):
        coordinates.append(rest % size)
        rest = rest // size
    return torch.stack(list(reversed(coordinates)), dim=-1)
