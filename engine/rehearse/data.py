"""The handwritten digits a rehearsal trains on and the classifier is tested on, with NumPy only.

By default they are the 5,000 MNIST digits shipped in ``assets/mnist_5k.npz`` (see
``assets/NOTICE.md`` for their source and licence), so a fresh machine works offline. The file is
sorted by label, so the split is stratified: for each digit, a fixed permutation puts
``HELD_OUT_PER_DIGIT`` of its 500 images in the held-out set and the rest in the training set.
The classifier is trained on the training set only and its accuracy is measured on the held-out set.

``--mnist DIR`` reads the full MNIST IDX files instead (``train-*`` and, when present, ``t10k-*``,
gzipped or not, in DIR or in DIR/MNIST/raw where torchvision keeps them), for diffusion training.
"""

from __future__ import annotations

import gzip
import struct
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

from engine.errors import UsageError

IMAGE_SIZE = 28
N_CLASSES = 10
HELD_OUT_PER_DIGIT = 50
SPLIT_SEED = 0
_IMAGES_MAGIC, _LABELS_MAGIC = 2051, 2049
_PARTS = (("train-images-idx3-ubyte", "train-labels-idx1-ubyte"), ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"))

Pixels = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Digits:
    """Images as uint8 of shape (N, 28, 28), pixels 0–255; labels as uint8 of shape (N,)."""

    images: Pixels
    labels: Pixels

    def __len__(self) -> int:
        return len(self.labels)

    def counts(self) -> list[int]:
        """How many images of each digit 0–9."""
        return [int(n) for n in np.bincount(self.labels, minlength=N_CLASSES)]


@dataclass(frozen=True)
class Split:
    train: Digits
    held_out: Digits


def shipped_digits() -> Digits:
    """The 5,000 digits shipped with dli-drill, in the file's order (sorted by label)."""
    with resources.files("engine.rehearse").joinpath("assets/mnist_5k.npz").open("rb") as handle, np.load(handle) as data:
        return Digits(images=data["images"], labels=data["labels"])


def stratified_split(digits: Digits, held_out_per_digit: int = HELD_OUT_PER_DIGIT, seed: int = SPLIT_SEED) -> Split:
    """For each digit, ``held_out_per_digit`` of its images, drawn by a fixed permutation, go to the
    held-out set; the rest train. Both sets keep every digit, whatever the order of the input."""
    rng = np.random.default_rng(seed)
    train, held = [], []
    for digit in range(N_CLASSES):
        where = np.flatnonzero(digits.labels == digit)
        if len(where) <= held_out_per_digit:
            raise ValueError(f"digit {digit} has {len(where)} images, not more than the {held_out_per_digit} to hold out")
        where = rng.permutation(where)
        held.append(where[:held_out_per_digit])
        train.append(where[held_out_per_digit:])
    train_index, held_index = np.sort(np.concatenate(train)), np.sort(np.concatenate(held))
    return Split(
        train=Digits(digits.images[train_index], digits.labels[train_index]),
        held_out=Digits(digits.images[held_index], digits.labels[held_index]),
    )


def _find(folder: Path, name: str) -> Path | None:
    for place in (folder, folder / "MNIST" / "raw"):
        for candidate in (place / name, place / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    return None


def _read_idx(path: Path, magic: int) -> tuple[tuple[int, ...], bytes]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error}") from error
    dims = 3 if magic == _IMAGES_MAGIC else 1
    header = 4 + 4 * dims
    if len(raw) < header or struct.unpack(">i", raw[:4])[0] != magic:
        raise UsageError(f"{path} is not an MNIST IDX file (its first four bytes should be the number {magic})")
    shape = struct.unpack(f">{dims}i", raw[4:header])
    if len(raw) - header != int(np.prod(shape)):
        raise UsageError(f"{path} is cut short or too long: its header promises {shape} bytes of data")
    return shape, raw[header:]


def idx_parts(folder: Path) -> list[tuple[Path, Path]]:
    """The (images, labels) file pairs found in ``folder``; a usage error when there is no training pair."""
    if not folder.is_dir():
        raise UsageError(f"--mnist {folder}: no such folder")
    pairs = []
    for images_name, labels_name in _PARTS:
        images, labels = _find(folder, images_name), _find(folder, labels_name)
        if images and labels:
            pairs.append((images, labels))
    if not pairs or not pairs[0][0].name.startswith("train"):
        raise UsageError(
            f"--mnist {folder}: no MNIST training files there; it needs train-images-idx3-ubyte and "
            "train-labels-idx1-ubyte (gzipped or not), in the folder or in its MNIST/raw"
        )
    return pairs


def read_mnist(folder: Path) -> Digits:
    """Every digit in the MNIST IDX files of ``folder``: the training files, then the test files if present."""
    images, labels = [], []
    for images_path, labels_path in idx_parts(folder):
        shape, pixels = _read_idx(images_path, _IMAGES_MAGIC)
        (count,), marks = _read_idx(labels_path, _LABELS_MAGIC)
        if shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
            raise UsageError(f"{images_path} holds {shape[1]}×{shape[2]} images; MNIST's are 28×28")
        if shape[0] != count:
            raise UsageError(f"{images_path} has {shape[0]} images but {labels_path} has {count} labels")
        found = np.frombuffer(marks, dtype=np.uint8)
        if found.size and found.max() >= N_CLASSES:
            raise UsageError(f"{labels_path} has a label {found.max()}; digits go from 0 to 9")
        images.append(np.frombuffer(pixels, dtype=np.uint8).reshape(shape))
        labels.append(found)
    return Digits(images=np.concatenate(images), labels=np.concatenate(labels))
