"""The shipped digit classifier: small enough to ship, and accurate on digits it never saw."""

from __future__ import annotations

from importlib import resources

import torch

from engine.rehearse.assess import classify
from engine.rehearse.classifier import WEIGHTS, load_classifier, normalise, predict
from engine.rehearse.data import shipped_digits, stratified_split
from engine.rehearse.train_classifier import as_tensors


def test_the_weights_file_is_at_most_2_mb():
    size = resources.files("engine.rehearse").joinpath(WEIGHTS).read_bytes()
    assert len(size) <= 2_000_000


def test_held_out_accuracy_is_at_least_97_percent():
    images, labels = as_tensors(stratified_split(shipped_digits()).held_out)
    accuracy = float((predict(load_classifier(), images) == labels).float().mean())
    print(f"held-out accuracy: {accuracy:.1%} of {len(labels)} digits")
    assert accuracy >= 0.97


def test_inputs_are_normalised_as_the_grader_does():
    pixels = torch.tensor([0.0, 0.1307, 1.0])
    assert torch.allclose(normalise(pixels), (pixels - 0.1307) / 0.3081)


def test_real_digits_in_the_graders_order_pass_the_mark():
    split = stratified_split(shipped_digits()).held_out
    images, labels = as_tensors(split)
    chosen = torch.cat([torch.nonzero(labels == digit).flatten()[:5] for digit in range(10)])
    verdict = classify(load_classifier(), images[chosen])
    assert [len(row) for row in verdict.predictions] == [5] * 10
    assert verdict.accuracy >= 0.95 and verdict.passed
    assert verdict.correct == sum(row.count(digit) for digit, row in enumerate(verdict.predictions))


def test_blank_images_fail_the_mark():
    verdict = classify(load_classifier(), torch.zeros(50, 1, 28, 28))
    assert verdict.accuracy <= 0.2 and not verdict.passed
