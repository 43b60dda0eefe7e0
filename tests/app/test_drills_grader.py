"""The drills screen grades through the app's one warm grader, and a run the grader refuses
(a device this machine lacks) is a notification, not an attempt."""

from __future__ import annotations

import shutil

import pytest
from textual.notifications import Notify

from engine.app.messages import DrillRunFinished, DrillRunRefused
from engine.app.screens.drills import DrillsScreen
from engine.drills.warm import session_grader


async def run_forward_diffusion(app, pilot, drill_home, solution) -> DrillsScreen:
    await pilot.press("d")
    screen = app.screen
    assert isinstance(screen, DrillsScreen)
    await pilot.pause()
    await pilot.press("down", "down")
    await pilot.pause()
    assert screen.drill.id == "forward_diffusion"
    await pilot.press("s")
    shutil.copyfile(solution, drill_home / "workspace" / "forward_diffusion.py")
    await pilot.press("r")
    await app.workers.wait_for_complete()
    await pilot.pause()
    return screen


async def test_runs_share_the_apps_warm_grader(make_app, store, drill_home, solution):
    app = make_app()
    seen = []
    async with app.run_test(message_hook=seen.append) as pilot:
        screen = await run_forward_diffusion(app, pilot, drill_home, solution)
        template = session_grader().pid
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.running is None
    finished = [m for m in seen if isinstance(m, DrillRunFinished)]
    assert [m.view.status for m in finished] == ["pass", "pass"]
    assert template is not None and session_grader().pid == template
    assert len(store.drill_attempts("forward_diffusion")) == 2


async def test_a_refused_run_is_a_notification_and_records_nothing(make_app, store, drill_home, solution, monkeypatch):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    monkeypatch.setenv("DRILL_DEVICE", "cuda")
    app = make_app()
    seen = []
    async with app.run_test(message_hook=seen.append) as pilot:
        screen = await run_forward_diffusion(app, pilot, drill_home, solution)
        assert screen.running is None
    assert [m.drill_id for m in seen if isinstance(m, DrillRunRefused)] == ["forward_diffusion"]
    assert not [m for m in seen if isinstance(m, DrillRunFinished)]
    assert store.drill_attempts("forward_diffusion") == []
    assert any("CUDA is not available" in m.notification.message for m in seen if isinstance(m, Notify))
