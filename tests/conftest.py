"""Shared test setup: an isolated data directory for every test, and the ``gpu`` marker."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def drill_home(tmp_path, monkeypatch):
    """Point DRILL_HOME at the test's own temporary directory so no test touches the user's data.

    A test that ran a drill started the per-user warm grader in that directory; it is stopped
    afterwards rather than left to idle out.
    """
    monkeypatch.setenv("DRILL_HOME", str(tmp_path))
    yield tmp_path
    from engine.drills.warm import UserGrader

    UserGrader(tmp_path).stop()


def pytest_collection_modifyitems(config, items):
    gpu_items = [item for item in items if item.get_closest_marker("gpu") is not None]
    if not gpu_items:
        return
    # torch is imported only when a gpu test was collected, so engine-only runs stay light.
    import torch

    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs CUDA; torch.cuda.is_available() is False")
    for item in gpu_items:
        item.add_marker(skip)
