"""Context dropout: one Bernoulli coin per ELEMENT of the one-hot (or CLIP) context, keep rate 1 − p."""

from __future__ import annotations

import torch

from reference.course import C_DROP_PROB, N_CLASSES, context_keep_mask, get_context_mask


def test_one_hot_and_mask_shapes_and_types():
    labels = torch.tensor([3, 0, 9, 3])
    c_hot, c_mask = get_context_mask(labels, 0.1)
    assert c_hot.shape == c_mask.shape == (4, N_CLASSES)
    assert c_hot.dtype == torch.int64 and c_mask.dtype == torch.float32
    expected = torch.zeros(4, 10, dtype=torch.int64)
    expected[torch.arange(4), labels] = 1
    assert torch.equal(c_hot, expected)
    assert set(c_mask.unique().tolist()) <= {0.0, 1.0}


def test_float_labels_as_the_course_passes_them():
    c_hot, _ = get_context_mask(torch.Tensor([7.0]), 0.0)
    assert c_hot.tolist() == [[0, 0, 0, 0, 0, 0, 0, 1, 0, 0]]


def test_keep_rate_is_one_minus_drop_prob_per_element():
    torch.manual_seed(0)
    _, c_mask = get_context_mask(torch.randint(0, 10, (20_000,)), C_DROP_PROB)
    assert C_DROP_PROB == 0.1
    # 200,000 coins: the rate's standard error is 0.0007
    assert abs(c_mask.mean().item() - 0.9) < 0.004
    # one coin per sample would make every row all ones or all zeros; per element, 1 − 0.9¹⁰ − 0.1¹⁰ ≈ 65 % are mixed
    mixed = ((c_mask.sum(dim=1) > 0) & (c_mask.sum(dim=1) < 10)).float().mean().item()
    assert abs(mixed - (1 - 0.9**10 - 0.1**10)) < 0.02
    # the elements of a row are independent: the hot element is kept at the same rate as the others
    column_rates = c_mask.mean(dim=0)
    assert (column_rates - 0.9).abs().max().item() < 0.015


def test_drop_prob_zero_keeps_everything_and_one_drops_everything():
    labels = torch.arange(10)
    assert torch.equal(get_context_mask(labels, 0.0)[1], torch.ones(10, 10))
    assert torch.equal(get_context_mask(labels, 1.0)[1], torch.zeros(10, 10))


def test_clip_mask_has_the_shape_of_its_context():
    torch.manual_seed(1)
    clip_context = torch.randn(64, 512)
    mask = context_keep_mask(clip_context, 0.25)
    assert mask.shape == (64, 512) and mask.dtype == torch.float32
    assert abs(mask.mean().item() - 0.75) < 0.01
    assert (mask.sum(dim=1) < 512).all()  # no row is kept whole: elements are dropped independently
