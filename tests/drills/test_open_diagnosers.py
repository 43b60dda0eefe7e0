"""The open diagnosers' machinery on cases whose answer is known by construction: where a moved
value came from (toolkit/provenance), and the target a squared error pulled towards, recovered
from a real autograd gradient (toolkit/lossgrad)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from engine.drills.toolkit.lossgrad import squared_error_target
from engine.drills.toolkit.provenance import sources


def test_each_moved_value_names_its_source():
    x = torch.randn(2, 3, 4, 5, generator=torch.Generator().manual_seed(1))
    y = x.permute(0, 2, 3, 1)  # y[b, h, w, c] = x[b, c, h, w]
    found = sources(x, y)
    assert found is not None and found.shape == (2, 4, 5, 3, 4)
    assert found[1, 2, 3, 0].tolist() == [1, 0, 2, 3]
    assert found[0, 3, 4, 2].tolist() == [0, 2, 3, 4]


def test_a_computed_output_or_a_repeated_input_has_no_sources():
    x = torch.randn(1, 2, 4, 4, generator=torch.Generator().manual_seed(2))
    assert sources(x, F.avg_pool2d(x, 2)) is None
    assert sources(torch.zeros(3), torch.zeros(3)) is None


@pytest.mark.parametrize("reduction, weight", [("mean", 1 / 60), ("sum", 1.0)])
def test_the_target_and_the_reduction_come_back_from_the_gradient(reduction, weight):
    generator = torch.Generator().manual_seed(3)
    prediction = torch.randn(3, 4, 5, generator=generator, requires_grad=True)
    target = torch.randn(3, 4, 5, generator=generator)
    loss = F.mse_loss(prediction, target, reduction=reduction)
    (gradient,) = torch.autograd.grad(loss, prediction)
    pull = squared_error_target(prediction, gradient, loss.item())
    assert pull is not None
    assert pull.weight == pytest.approx(weight, rel=1e-5)
    assert torch.allclose(pull.target, target.double(), atol=1e-5)


def test_no_target_without_a_positive_loss():
    assert squared_error_target(torch.ones(3), torch.zeros(3), 0.0) is None
