"""Leaving the drills screen, or the app, while a run is under way loses no attempt: the engine
records it, and what the app could not wait for is recorded as interrupted."""

from __future__ import annotations

from pathlib import Path

from engine.app.screens.drills import DrillsScreen
from engine.drills.catalog import get_drill
from engine.drills.results import FAIL
from engine.store import INTERRUPTED, RUNNING

# A learner file that runs long enough for the learner to leave before the verdict.
SLOW = """import time

import torch


def forward_diffusion(x_0, t, noise_schedule):
    time.sleep(2.5)
    noise = torch.randn_like(x_0)
    return noise_schedule["sqrt_alpha_bar"][t].view(-1, 1, 1, 1) * x_0, noise
"""


async def _run_slow_file(app, pilot, workspace: Path) -> DrillsScreen:
    await pilot.press("d")
    await pilot.pause()
    await pilot.press("down", "down")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, DrillsScreen) and screen.drill.id == "forward_diffusion"
    workspace.mkdir(parents=True, exist_ok=True)
    (workspace / "forward_diffusion.py").write_text(SLOW)
    await pilot.press("r")
    assert screen.running is not None
    return screen


async def test_leaving_the_screen_mid_run_still_records_the_attempt(make_app, store, drill_home):
    app = make_app()
    async with app.run_test() as pilot:
        await _run_slow_file(app, pilot, drill_home / "workspace")
        assert [a.status for a in store.drill_attempts()] == [RUNNING]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DrillsScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
    (recorded,) = store.drill_attempts("forward_diffusion")
    assert recorded.status == FAIL and recorded.max_score == get_drill("forward_diffusion").max_score()
    assert recorded.extra["result"]["status"] == FAIL


async def test_quitting_the_app_mid_run_leaves_an_interrupted_attempt(make_app, store, drill_home):
    app = make_app()
    async with app.run_test() as pilot:
        await _run_slow_file(app, pilot, drill_home / "workspace")
        await app.action_quit()
    statuses = [a.status for a in store.drill_attempts("forward_diffusion")]
    assert statuses == [INTERRUPTED]
