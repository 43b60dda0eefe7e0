"""Train the rehearsal's digit classifier on the training split of the shipped digits.

    python -m engine.rehearse.train_classifier [--epochs 20] [--seed 0] [--out engine/rehearse/assets/classifier.pt]

It never sees the held-out split, on which it reports its accuracy after every epoch. Training
images are jittered (small random rotations, scalings and shifts) so that the classifier reads
the slightly unusual digits a diffusion model draws as well as MNIST's own. The weights are saved
in float16.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import torch
from torch import nn

from engine.rehearse.classifier import WEIGHTS, DigitClassifier, normalise, predict
from engine.rehearse.data import Digits, shipped_digits, stratified_split

MAX_ROTATION = math.radians(12)
MAX_SCALE_CHANGE = 0.12
MAX_SHIFT = 0.12  # in affine_grid's units: 2 is the image width, so 0.12 is about 1.7 pixels


def as_tensors(digits: Digits) -> tuple[torch.Tensor, torch.Tensor]:
    """(N, 1, 28, 28) float32 in [0, 1] and (N,) int64."""
    images = torch.from_numpy(digits.images).float().div(255.0).unsqueeze(1)
    return images, torch.from_numpy(digits.labels).long()


def jitter(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """A random small rotation, scaling and shift of each image."""
    n = images.shape[0]

    def uniform(limit: float) -> torch.Tensor:
        return (torch.rand(n, generator=generator) * 2 - 1) * limit

    angle, scale = uniform(MAX_ROTATION), 1 + uniform(MAX_SCALE_CHANGE)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack(
        [torch.stack([cos, -sin, uniform(MAX_SHIFT)], dim=1), torch.stack([sin, cos, uniform(MAX_SHIFT)], dim=1)], dim=1
    )  # (N, 2, 3)
    grid = nn.functional.affine_grid(theta, list(images.shape), align_corners=False)
    return nn.functional.grid_sample(images, grid, align_corners=False)


def accuracy(model: DigitClassifier, digits: Digits) -> float:
    images, labels = as_tensors(digits)
    model.eval()
    return float((predict(model, images) == labels).float().mean())


def train(epochs: int, seed: int, batch_size: int = 64, lr: float = 1e-3, log: Callable[[str], None] = print) -> DigitClassifier:
    """A classifier trained on the training split; logs held-out accuracy after every epoch."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    split = stratified_split(shipped_digits())
    images, labels = as_tensors(split.train)
    model = DigitClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * math.ceil(len(labels) / batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=steps)
    started = time.monotonic()
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(labels), generator=generator)
        for start in range(0, len(labels), batch_size):
            batch = order[start : start + batch_size]
            logits = model(normalise(jitter(images[batch], generator)))
            loss = nn.functional.cross_entropy(logits, labels[batch])
            optimizer.zero_grad()
            torch.autograd.backward(loss)
            optimizer.step()
            schedule.step()
        log(f"epoch {epoch + 1}/{epochs}: held-out accuracy {accuracy(model, split.held_out):.1%} "
            f"({time.monotonic() - started:.0f} s)")
    return model.eval()


def save(model: DigitClassifier, path: Path) -> None:
    torch.save({name: tensor.half() for name, tensor in model.state_dict().items()}, path)


def main(argv: list[str] | None = None) -> int:
    default = Path(str(resources.files("engine.rehearse").joinpath(WEIGHTS)))
    parser = argparse.ArgumentParser(description="Train the rehearsal's digit classifier on the shipped digits' training split.")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=default, help=f"where to write the weights (default {default})")
    args = parser.parse_args(argv)
    model = train(args.epochs, args.seed)
    save(model, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
