"""The Rehearsal screen, driven as a learner would, through the real child process (tiny profile),
and one snapshot of a finished rehearsal."""

from __future__ import annotations

import numpy as np
from textual.widgets import DataTable, ProgressBar, Select, Static, TabbedContent

from engine.app.messages import RehearsalEvent
from engine.app.screens.rehearsal import RehearsalScreen
from engine.rehearse import events, record
from engine.rehearse.data import shipped_digits
from engine.rehearse.notebook import Feedback, blanks, solution_text


async def open_rehearsal(app, pilot) -> RehearsalScreen:
    app.action_rehearse()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, RehearsalScreen)
    screen.query_one(Select).value = "tiny"
    await pilot.pause()
    return screen


def text_of(screen: RehearsalScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_start_writes_the_notebook_and_a_run_names_the_empty_blanks(make_app, store, drill_home):
    app = make_app()
    async with app.run_test() as pilot:
        screen = await open_rehearsal(app, pilot)
        assert "No notebook yet" in text_of(screen, "#rehearsal-file")
        await pilot.press("s")
        path = drill_home / "workspace" / "rehearsal.py"
        assert path.exists() and "FIXME_23" in path.read_text(encoding="utf-8")
        assert "rehearsal.py" in text_of(screen, "#rehearsal-file")
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        feedback = text_of(screen, "#feedback")
        assert "Blank 18 (the context mask's random draw) is still empty" in feedback
        assert "Nothing was trained" in feedback
        (row,) = record.rehearsals(store)
        assert row.status == record.FAIL and row.stage == "checked"
        assert not screen.query_one("#run").disabled and screen.query_one("#stop").disabled


async def test_a_run_shows_live_progress_then_the_digits_and_the_table(make_app, store, drill_home):
    (drill_home / "workspace").mkdir(parents=True, exist_ok=True)
    (drill_home / "workspace" / "rehearsal.py").write_text(solution_text(), encoding="utf-8")
    app = make_app()
    async with app.run_test() as pilot:
        screen = await open_rehearsal(app, pilot)
        await pilot.press("r")
        assert screen.query_one("#run").disabled and not screen.query_one("#stop").disabled
        await app.workers.wait_for_complete()
        await pilot.pause()
        # The worker's progress events reached the bar; then the verdict switched to the digits.
        bar = screen.query_one("#training", ProgressBar)
        assert bar.total == bar.progress == 12
        assert "✓ Blank 22 (the guided noise)" in text_of(screen, "#feedback")
        assert screen.query_one(TabbedContent).active == "digits"
        table = screen.query_one("#per-digit", DataTable)
        assert table.row_count == 10
        grid = text_of(screen, "#grid")
        assert "0 │" in grid and "9 │" in grid and any(ch in grid for ch in "▀▄█")
        (row,) = record.rehearsals(store)
        assert row.stage == "classified" and row.images is not None
        assert "read as the digit asked for" in str(screen.query_one("#rehearsal-status").render())
        assert not screen.query_one("#run").disabled and screen.query_one("#stop").disabled


async def test_stop_ends_the_run(make_app, store, drill_home):
    (drill_home / "workspace").mkdir(parents=True, exist_ok=True)
    (drill_home / "workspace" / "rehearsal.py").write_text(solution_text(), encoding="utf-8")
    app = make_app()
    async with app.run_test() as pilot:
        screen = await open_rehearsal(app, pilot)
        await pilot.press("r", "x")
        await app.workers.wait_for_complete()
        await pilot.pause()
        (row,) = record.rehearsals(store)
        assert row.status == record.STOPPED and row.images is None
        assert screen.rehearsal is None and screen.query_one("#stop").disabled


async def test_leaving_the_screen_stops_the_run(make_app, store, drill_home):
    (drill_home / "workspace").mkdir(parents=True, exist_ok=True)
    (drill_home / "workspace" / "rehearsal.py").write_text(solution_text(), encoding="utf-8")
    app = make_app()
    async with app.run_test() as pilot:
        await open_rehearsal(app, pilot)
        await pilot.press("r", "escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, RehearsalScreen)
        (row,) = record.rehearsals(store)
        assert row.status == record.STOPPED


def finished_rehearsal(app) -> None:
    """A finished rehearsal, as the child would report it: every blank right, then 50 real digits."""
    digits = shipped_digits()
    chosen = np.concatenate([np.flatnonzero(digits.labels == d)[:5] for d in range(10)])
    predictions = [[d] * 5 for d in range(10)]
    predictions[8][2] = 3
    feedback = [Feedback(item.number, True, f"{item.title}.") for item in blanks()]
    screen = app.screen
    for event in (
        events.Checked(feedback, passed=True, parameters=583_169),
        events.Progress(step=1800, steps=1800, loss=0.0391, elapsed_s=410.0, left_s=0.0),
        events.Trained(steps=1800, loss=0.0391, elapsed_s=410.0, stopped_by="steps"),
        events.Sampled(digits.images[chosen].tobytes(), elapsed_s=31.0),
        events.Classified(predictions, accuracy=0.98, passed=True),
    ):
        screen.post_message(RehearsalEvent(event))


def test_snapshot_of_a_finished_rehearsal(snap_compare, make_app):
    async def run_before(pilot) -> None:
        pilot.app.action_rehearse()
        await pilot.pause()
        finished_rehearsal(pilot.app)
        await pilot.pause()
        pilot.app.clear_notifications()

    assert snap_compare(make_app(), run_before=run_before, terminal_size=(110, 40))
