"""What a squared-error loss pulled a prediction towards, read off the gradient that reached it.

A training step's loss is rarely returned with its target: the noise it compared the prediction
with, say, lives inside the learner's function. But for any loss L = k·Σ(pred − target)² (a mean
of N squares has k = 1/N, a sum k = 1, a mean over the batch of per-image sums k = 1/B), the
gradient at the prediction is g = 2k·(pred − target). A recording model keeps the prediction and
that gradient; with the loss's value also known, Σg² = 4k²·Σ(pred − target)² = 4k·L gives k, and
then ``target = pred − g/(2k)`` exactly. The target then says what the loss compared with (the
noise, the clean image) and k how it was reduced; the drill checks the rest against its reference.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Pull:
    """The target a squared error pulled the prediction towards, and the weight k of its reduction."""

    target: torch.Tensor
    weight: float


def squared_error_target(prediction: torch.Tensor, gradient: torch.Tensor, loss: float) -> Pull | None:
    """The target of L = k·Σ(prediction − target)² from the gradient at ``prediction`` and L's value.

    None when the numbers cannot come from such a loss (a loss of 0 or below, nothing that reached
    the prediction, values that are not finite).
    """
    g = gradient.detach().double()
    if not math.isfinite(loss) or loss <= 0 or not bool(torch.isfinite(g).all()):
        return None
    weight = float((g**2).sum()) / (4 * loss)
    if weight <= 0:
        return None
    return Pull(prediction.detach().double() - g / (2 * weight), weight)
