"""Context dropout for classifier-free guidance: a Bernoulli keep-mask over every element of the context."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from reference.course.config import N_CLASSES


def context_keep_mask(c: torch.Tensor, drop_prob: float) -> torch.Tensor:
    """A 0/1 mask that keeps each element of ``c`` independently with probability 1 − drop_prob.

    mask_i ~ Bernoulli(1 − drop_prob) for every element i: not one coin per sample. This is the
    whole of notebook 05's ``get_context_mask`` (for 512-d CLIP vectors).
    c: any shape  ->  float32 of the same shape, on the same device.
    """
    return torch.bernoulli(torch.ones_like(c, dtype=torch.float32) - drop_prob)


def get_context_mask(c: torch.Tensor, drop_prob: float, *, num_classes: int = N_CLASSES) -> tuple[torch.Tensor, torch.Tensor]:
    """The assessment's version: one-hot the labels, then draw a keep-mask for every element of the one-hot.

    The U-Net multiplies the one-hot by the mask, so a sample whose hot element is dropped sees an
    all-zero context (the unconditional case).
    c: (B,) labels of any number type  ->  ``(c_hot, c_mask)``: (B, num_classes) int64 and
    (B, num_classes) float32, on the device of ``c``.
    """
    c_hot = F.one_hot(c.long(), num_classes=num_classes)  # (B,) -> (B, num_classes)
    return c_hot, context_keep_mask(c_hot, drop_prob)
