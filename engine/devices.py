"""Which torch device a grader or a rehearsal runs on: the one asked for (``--device``, or
``$DRILL_DEVICE`` resolved by the caller), else CUDA when this machine has it. Imported only by the
processes that run torch; the availability check does not initialise CUDA when
``PYTORCH_NVML_BASED_CUDA_CHECK`` is set (see engine/drills/grader.py)."""

from __future__ import annotations

import re

import torch

from engine.errors import UsageError

_DEVICE = re.compile(r"cpu|cuda(:\d+)?")


def choose_device(requested: str | None) -> torch.device:
    """The device to grade on; a UsageError when it is malformed or not on this machine."""
    if requested is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if not _DEVICE.fullmatch(requested):
        raise UsageError(f"Unknown device '{requested}': use cpu, cuda or cuda:N.")
    device = torch.device(requested)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise UsageError(f"--device {requested}: CUDA is not available on this machine; use --device cpu.")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise UsageError(f"--device {requested}: this machine has {torch.cuda.device_count()} CUDA device(s).")
    return device
