"""Learner-shaped notebooks for the rehearsal tests: the model solution, and edits of it.

Fixtures: ``edit(old, new)`` is the solution with one passage changed, as a learner would have
written it; ``check(text)`` gives the feedback ``drill rehearse run`` would give on it, in this
process, with the tiny profile: the static checks, then the cells and the behavioural checks;
``failures(feedback)`` keeps what failed, by blank number; ``write_idx(folder, prefix, images,
labels)`` writes MNIST IDX files.
"""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from engine.rehearse.notebook import Feedback, solution_text, static_feedback


def _edited(old: str, new: str, text: str | None = None) -> str:
    source = text if text is not None else solution_text()
    assert source.count(old) == 1, f"the solution should contain {old!r} exactly once"
    return source.replace(old, new)


def _check(text: str, filename: str = "learner.py") -> list[Feedback]:
    import torch

    from engine.rehearse.child import check_notebook
    from engine.rehearse.data import shipped_digits, stratified_split
    from engine.rehearse.profiles import get_profile
    from engine.rehearse.training import DigitLoader

    static = static_feedback(text, filename)
    if not all(item.ok for item in static):
        return static
    torch.manual_seed(0)
    profile = get_profile("tiny")
    loader = DigitLoader(stratified_split(shipped_digits()).train, profile.batch_size, torch.Generator().manual_seed(0))
    _, checked = check_notebook(text, filename, profile, torch.device("cpu"), loader)
    return static + checked.feedback


def _failures(feedback: list[Feedback]) -> dict[int | None, str]:
    """The failed findings by blank number (None: about the notebook as a whole)."""
    found: dict[int | None, str] = {}
    for item in feedback:
        if not item.ok:
            found[item.blank] = found.get(item.blank, "") + item.message
    return found


@pytest.fixture(autouse=True)
def one_thread():
    """The rehearsal's tensors are small; one thread avoids oversubscribing a shared machine."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def notebook(tmp_path) -> Path:
    """The model solution as a learner's file."""
    path = tmp_path / "rehearsal.py"
    path.write_text(solution_text(), encoding="utf-8")
    return path


@pytest.fixture
def edit():
    return _edited


@pytest.fixture
def check():
    return _check


@pytest.fixture
def failures():
    return _failures


def _write_idx(folder: Path, prefix: str, images: np.ndarray, labels: np.ndarray, compress: bool = False) -> None:
    """``<prefix>-images-idx3-ubyte`` and ``<prefix>-labels-idx1-ubyte``, as MNIST ships them."""
    opener = gzip.open if compress else open
    suffix = ".gz" if compress else ""
    with opener(folder / f"{prefix}-images-idx3-ubyte{suffix}", "wb") as handle:
        handle.write(struct.pack(">iiii", 2051, *images.shape) + images.tobytes())
    with opener(folder / f"{prefix}-labels-idx1-ubyte{suffix}", "wb") as handle:
        handle.write(struct.pack(">ii", 2049, len(labels)) + labels.tobytes())


@pytest.fixture
def write_idx():
    return _write_idx
