"""The digit classifier that judges a rehearsal's samples, as the assessment's grader does.

The grader's network is a small MNIST CNN: two 3×3 convolutions (32 and 64 channels), a 2×2
max-pool, dropout and two dense layers (9,216 → 128 → 10). Its first dense layer alone is 4.7 MB
in float32. Ours keeps the convolutions and adds a second 2×2 max-pool before the dense layers,
so the first of them reads 64·6·6 = 2,304 features instead of 9,216: about 315k parameters,
shipped in float16 (about 0.6 MB) in ``assets/classifier.pt``.

Inputs are normalised exactly as the grader does: ``(x − 0.1307) / 0.3081``, with no clamping of
the learner's samples.
"""

from __future__ import annotations

from importlib import resources

import torch
from torch import nn

from engine.rehearse.rules import MNIST_MEAN, MNIST_STD

WEIGHTS = "assets/classifier.pt"


class DigitClassifier(nn.Module):
    """(N, 1, 28, 28) normalised images → (N, 10) logits."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.dropout1 = nn.Dropout(0.25)
        self.fc1 = nn.Linear(64 * 6 * 6, 128)
        self.dropout2 = nn.Dropout(0.5)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.relu(self.conv1(x))  # (N, 32, 26, 26)
        x = torch.relu(self.conv2(x))  # (N, 64, 24, 24)
        x = self.dropout1(nn.functional.max_pool2d(x, 2))  # (N, 64, 12, 12)
        x = nn.functional.max_pool2d(x, 2).flatten(1)  # (N, 2304)
        x = self.dropout2(torch.relu(self.fc1(x)))
        return self.fc2(x)  # type: ignore[no-any-return]


def normalise(images: torch.Tensor) -> torch.Tensor:
    """The grader's transform: MNIST's mean and standard deviation, pixels taken as given."""
    return (images - MNIST_MEAN) / MNIST_STD


def load_classifier(device: str | torch.device = "cpu") -> DigitClassifier:
    """The shipped classifier, in float32 and in eval mode."""
    with resources.files("engine.rehearse").joinpath(WEIGHTS).open("rb") as handle:
        state = torch.load(handle, map_location="cpu", weights_only=True)
    model = DigitClassifier()
    model.load_state_dict({name: tensor.float() for name, tensor in state.items()})
    return model.to(device).eval()


@torch.no_grad()
def predict(model: DigitClassifier, images: torch.Tensor) -> torch.Tensor:
    """The digit read in each image of shape (N, 1, 28, 28), pixels in [0, 1]; returns (N,) int64 on the CPU."""
    device = next(model.parameters()).device
    logits: torch.Tensor = model(normalise(images.float().to(device)))
    return logits.argmax(dim=-1).cpu()
