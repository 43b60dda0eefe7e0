"""Run the course tests on one torch thread: their models are tiny, and on a shared CPU machine
two threads contending with other processes made the training test several times slower."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True)
def one_torch_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
