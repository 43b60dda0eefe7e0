"""The assessment's settings, which every function of ``reference.course`` takes as its defaults.

The course keeps these as notebook globals (``T``, ``B_start``, ``B_end``, ``IMG_CH``, ``IMG_SIZE``,
``N_CLASSES``); here they are constants that callers can override per call.
"""

from __future__ import annotations

T = 150
"""Diffusion steps in the assessment (the notebook builds it as nrows · ncols = 10 · 15)."""

B_START = 0.0001
B_END = 0.02
"""First and last β of the linear schedule."""

IMG_CH = 1
IMG_SIZE = 28
"""MNIST: one channel, 28 × 28 pixels, values in [0, 1] (the assessment does not rescale to [−1, 1])."""

N_CLASSES = 10
"""One class per digit; the context is a one-hot vector of this length."""

DOWN_CHS = (64, 64, 128)
T_EMBED_DIM = 8
"""The U-Net's encoder widths and sinusoidal time-feature width in the assessment."""

C_DROP_PROB = 0.1
"""Probability of dropping each context element during training."""
