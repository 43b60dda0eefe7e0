"""The runner's copy of the notebook's training loop, around the learner's ``training_step``.

Each step does what the notebook's loop does (``optimizer.zero_grad()``, ``loss =
training_step(model, batch)``, ``loss.backward()``, ``optimizer.step()``), with the profile's
learning rate set before it. Around that it reports progress, stops at the step or time budget,
and stops with :class:`Diverged` at the first loss that is not finite.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import torch

from engine.rehearse.data import Digits
from engine.rehearse.profiles import Profile, learning_rate

REPORT_EVERY_S = 0.5
LOSS_WINDOW = 50


class Diverged(Exception):
    """The loss became NaN or infinite."""

    def __init__(self, step: int, loss: float):
        super().__init__(
            f"Training stopped at step {step}: the loss became {loss}. Look for a division by zero or a "
            "square root of a negative number in the schedule, or data far outside [0, 1]."
        )
        self.step = step
        self.loss = loss


class NotALoss(Exception):
    """training_step did not return a scalar tensor that can be backpropagated."""


@dataclass(frozen=True)
class Progress:
    step: int
    steps: int
    loss: float  # the mean over the last LOSS_WINDOW steps
    elapsed_s: float
    left_s: float
    lr: float


@dataclass(frozen=True)
class Trained:
    steps: int
    loss: float
    elapsed_s: float
    stopped_by: str  # "steps" or "time"


class DigitLoader:
    """Shuffled batches ``(images, labels)`` of one epoch per iteration, like a DataLoader with
    ``shuffle=True, drop_last=True``: images (B, 1, 28, 28) float32 in [0, 1], labels (B,) int64."""

    def __init__(self, digits: Digits, batch_size: int, generator: torch.Generator):
        self.images = torch.from_numpy(digits.images).unsqueeze(1)  # uint8, converted per batch
        self.labels = torch.from_numpy(digits.labels).long()
        self.batch_size = batch_size
        self.generator = generator

    def __len__(self) -> int:
        return len(self.labels) // self.batch_size

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        order = torch.randperm(len(self.labels), generator=self.generator)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            index = order[start : start + self.batch_size]
            yield self.images[index].float().div_(255.0), self.labels[index]


def endless(loader: DigitLoader) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    while True:
        yield from loader


def _scalar(loss: Any) -> torch.Tensor:
    if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
        shape = tuple(loss.shape) if isinstance(loss, torch.Tensor) else type(loss).__name__
        raise NotALoss(f"training_step must return the batch's loss, a single number as a tensor; it returned {shape}")
    if not loss.requires_grad:
        raise NotALoss("training_step's loss does not depend on the model's weights, so nothing can be learnt from it")
    return loss


def train(
    model: torch.nn.Module,
    training_step: Callable[[torch.nn.Module, tuple[torch.Tensor, torch.Tensor]], Any],
    loader: DigitLoader,
    profile: Profile,
    budget_s: float,
    report: Callable[[Progress], None],
    clock: Callable[[], float] = time.monotonic,
) -> Trained:
    """Train until ``profile.steps`` steps or ``budget_s`` seconds; ``report`` gets progress at most
    every ``REPORT_EVERY_S`` seconds, and at the end."""
    optimizer = torch.optim.Adam(model.parameters(), lr=profile.peak_lr)
    model.train()
    batches = endless(loader)
    started = last_report = clock()
    recent: list[float] = []
    step, stopped_by = 0, "steps"
    while step < profile.steps:
        elapsed = clock() - started
        if elapsed >= budget_s:
            stopped_by = "time"
            break
        progress = max(step / profile.steps, elapsed / budget_s)
        lr = learning_rate(profile, step, progress)
        for group in optimizer.param_groups:
            group["lr"] = lr
        optimizer.zero_grad()
        loss = _scalar(training_step(model, next(batches)))
        value = float(loss.detach())
        if not math.isfinite(value):
            raise Diverged(step, value)
        torch.autograd.backward(loss)
        optimizer.step()
        step += 1
        recent = [*recent[-(LOSS_WINDOW - 1) :], value]
        now = clock()
        if now - last_report >= REPORT_EVERY_S or step == profile.steps:
            last_report = now
            report(_progress(step, profile.steps, recent, now - started, budget_s, lr))
    elapsed = clock() - started
    return Trained(steps=step, loss=sum(recent) / len(recent) if recent else math.nan, elapsed_s=elapsed, stopped_by=stopped_by)


def _progress(step: int, steps: int, recent: list[float], elapsed: float, budget_s: float, lr: float) -> Progress:
    by_steps = elapsed / step * (steps - step)
    return Progress(
        step=step, steps=steps, loss=sum(recent) / len(recent), elapsed_s=elapsed,
        left_s=max(0.0, min(by_steps, budget_s - elapsed)), lr=lr,
    )
