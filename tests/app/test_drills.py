"""The drills screen: starter, editor hand-over and grading in a worker, on a passing and a failing file."""

from __future__ import annotations

import contextlib
import shutil
import sys

from textual.notifications import Notify
from textual.widgets import Tree

from engine.app.messages import DrillRunFinished
from engine.app.screens.drills import DrillsScreen
from engine.app.widgets.result import DiagnosisBox, RunResultView
from engine.drills import progress
from engine.drills.catalog import get_drill

# The classic slip: the coefficients without their square roots.
NO_SQRT = """import torch


def forward_diffusion(x_0, t, noise_schedule):
    noise = torch.randn_like(x_0)
    alpha_bar = noise_schedule["alpha_bar"][t].view(-1, 1, 1, 1)
    return alpha_bar * x_0 + (1 - alpha_bar) * noise, noise
"""


def notices(seen: list) -> list[str]:
    return [message.notification.message for message in seen if isinstance(message, Notify)]


def label_of(screen: DrillsScreen, drill_id: str) -> str:
    tree = screen.query_one(Tree)
    nodes = [tree.root]
    while nodes:
        node = nodes.pop()
        if node.data == drill_id:
            return str(node.label)
        nodes += node.children
    raise LookupError(drill_id)


async def test_start_then_run_a_passing_file(make_app, store, drill_home, solution):
    app = make_app()
    seen = []
    async with app.run_test(message_hook=seen.append) as pilot:
        await pilot.press("d")
        screen = app.screen
        assert isinstance(screen, DrillsScreen)
        await pilot.pause()
        assert screen.drill.id == "linear_beta_schedule"

        # Down past the "ddpm" topic row to its first drill.
        await pilot.press("down", "down")
        await pilot.pause()
        assert screen.drill.id == "forward_diffusion"

        await pilot.press("s")
        path = drill_home / "workspace" / "forward_diffusion.py"
        assert path.exists()
        assert progress.status(store, screen.drill) == progress.STARTED
        assert label_of(screen, "forward_diffusion").startswith("○")

        shutil.copyfile(solution, path)
        await pilot.press("r")
        assert screen.running is not None
        assert "Running the checks" in str(screen.query_one(".running").render())
        await app.workers.wait_for_complete()
        await pilot.pause()

        finished = [m for m in seen if isinstance(m, DrillRunFinished)]
        assert len(finished) == 1 and finished[0].view.status == "pass"
        assert screen.running is None
        assert store.drill_attempts("forward_diffusion")[-1].status == "pass"
        assert label_of(screen, "forward_diffusion").startswith("✓")
        view = screen.query_one(RunResultView)
        assert "All checks pass" in str(view.query_one(".verdict").render())
        assert any("passes" in text for text in notices(seen))

        await pilot.press("o")
        assert screen.query_one("#drill-solution").display


async def test_a_failing_file_shows_checks_diagnosis_and_hints(make_app, store, drill_home):
    app = make_app(drills=(get_drill("forward_diffusion"),))
    seen = []
    async with app.run_test(message_hook=seen.append) as pilot:
        await pilot.press("d")
        screen = app.screen
        await pilot.pause()
        await pilot.press("s")
        path = drill_home / "workspace" / "forward_diffusion.py"
        path.write_text(NO_SQRT)
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()

        result = next(m for m in seen if isinstance(m, DrillRunFinished)).view
        assert result.status != "pass"
        assert store.drill_attempts("forward_diffusion")[-1].status == result.status
        assert label_of(screen, "forward_diffusion").startswith("✗")
        view = screen.query_one(RunResultView)
        marks = [str(check.render()) for check in view.query(".check")]
        assert any(mark.startswith("✗") for mark in marks)
        assert [d.key for d in result.diagnoses] == ["forward.no_sqrt"]
        assert view.query_one(DiagnosisBox).border_title.endswith(result.diagnoses[0].title)
        assert "h gives the next hint" in str(view.query_one(".next-step").render())

        # The first hint after a diagnosis is the diagnosed bug's own fix; the general hints follow.
        await pilot.press("h")
        shown = str(screen.query_one("#drill-hint").render())
        assert shown.startswith(f"Your last run found: {result.diagnoses[0].title}") and result.diagnoses[0].hint in shown
        await pilot.press("h")
        assert "Hint 1/" in str(screen.query_one("#drill-hint").render())
        await pilot.press("o")
        assert any("opens once your own file passes" in text for text in notices(seen))


async def test_user_mistakes_are_notifications(make_app, monkeypatch):
    app = make_app()
    seen = []
    async with app.run_test(message_hook=seen.append) as pilot:
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("r", "e")
        texts = notices(seen)
        assert sum("s writes the starter" in text for text in texts) == 2

        await pilot.press("s")
        monkeypatch.setenv("EDITOR", "no-such-editor-anywhere")
        monkeypatch.setattr(type(app), "suspend", lambda self: contextlib.nullcontext())
        await pilot.press("e")
        assert any("was not found" in text for text in notices(seen))


async def test_the_editor_gets_the_file_while_the_app_steps_aside(make_app, monkeypatch, tmp_path, drill_home):
    opened = tmp_path / "opened.txt"
    editor = tmp_path / "editor.py"
    editor.write_text(f"import sys, pathlib\npathlib.Path({str(opened)!r}).write_text(sys.argv[1])\n")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {editor}")
    suspended = []

    @contextlib.contextmanager
    def suspend(self):
        suspended.append(True)
        yield

    monkeypatch.setattr(type(make_app()), "suspend", suspend)
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("s", "e")
    assert suspended == [True]
    assert opened.read_text() == str(drill_home / "workspace" / "linear_beta_schedule.py")
