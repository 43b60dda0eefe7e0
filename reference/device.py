"""Choosing the torch device that the reference (and the drills) run on."""

from __future__ import annotations

import os

import torch

DEVICE_ENV = "DRILL_DEVICE"


def pick_device(requested: str | None = None) -> torch.device:
    """Return the device to run on.

    Precedence: an explicit ``requested`` value (the ``--device`` flag), then the
    ``DRILL_DEVICE`` environment variable, then CUDA when it is available, then the CPU.
    """
    choice = requested or os.environ.get(DEVICE_ENV)
    if choice:
        device = torch.device(choice)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise RuntimeError(f"device {choice!r} was requested but CUDA is not available")
        return device
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
