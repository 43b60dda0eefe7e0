"""Sampling and classifying as the assessment's grader does.

For each digit 0–9 the grader builds 5 one-hot contexts (``F.one_hot`` of int64 labels, so the
contexts are int64), calls ``sample_w(model, c_hot, w=w)`` and expects images of shape
(5, 1, 28, 28). It normalises them with MNIST's mean and standard deviation, classifies them and
counts the digits read as the one asked for. It passes at 95 % of the 50 or more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

from engine.rehearse.classifier import DigitClassifier, predict
from engine.rehearse.rules import IMAGE_SHAPE, N_DIGITS, PASS_MARK, SAMPLES_PER_DIGIT


class WrongSamples(Exception):
    """sample_w returned something other than the (5, 1, 28, 28) images the grader needs."""


@dataclass(frozen=True)
class Verdict:
    predictions: list[list[int]]  # predictions[d]: what the classifier read in the samples of digit d

    @property
    def correct(self) -> int:
        return sum(row.count(digit) for digit, row in enumerate(self.predictions))

    @property
    def total(self) -> int:
        return sum(len(row) for row in self.predictions)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def passed(self) -> bool:
        return self.accuracy >= PASS_MARK


def contexts(digit: int, device: torch.device) -> torch.Tensor:
    """The grader's contexts for one digit: (5, 10) int64 one-hots."""
    labels = torch.ones(SAMPLES_PER_DIGIT, device=device) * digit
    return F.one_hot(labels.to(torch.int64), num_classes=N_DIGITS).to(device)


def checked(images: Any, digit: int) -> torch.Tensor:
    expected = (SAMPLES_PER_DIGIT, *IMAGE_SHAPE)
    if not isinstance(images, torch.Tensor):
        raise WrongSamples(f"sample_w returned a {type(images).__name__}; the grader needs a tensor of shape {expected}")
    if tuple(images.shape) != expected:
        raise WrongSamples(
            f"sample_w returned shape {tuple(images.shape)} for the 5 contexts of digit {digit}; the grader "
            f"needs {expected}: one (1, 28, 28) image per row of c"
        )
    if not torch.isfinite(images).all():
        raise WrongSamples(f"sample_w returned NaN or infinite pixels for digit {digit}")
    return images.detach().float().cpu()


def sample_digits(
    sample_w: Callable[..., Any], model: torch.nn.Module, w: float, device: torch.device, on_digit: Callable[[int], None]
) -> torch.Tensor:
    """The 50 samples, digit by digit as the grader asks for them: (50, 1, 28, 28) on the CPU."""
    model.eval()
    rows = []
    for digit in range(N_DIGITS):
        on_digit(digit)
        rows.append(checked(sample_w(model, contexts(digit, device), w=w), digit))
    return torch.cat(rows)


def classify(classifier: DigitClassifier, images: torch.Tensor) -> Verdict:
    """What the classifier reads in the 50 samples, in the grader's order (5 per digit)."""
    read = predict(classifier, images).tolist()
    return Verdict([read[d * SAMPLES_PER_DIGIT : (d + 1) * SAMPLES_PER_DIGIT] for d in range(N_DIGITS)])


def to_pixels(images: torch.Tensor) -> bytes:
    """The samples as 0–255 bytes (N × 28 × 28, clamped to [0, 1] first), for display and storage."""
    return bytes(images.clamp(0, 1).mul(255).round().to(torch.uint8).numpy().tobytes())
