"""Snapshots of the main screens at 80×24 (pytest-textual-snapshot). Update them after a deliberate
change with ``pytest tests/app/test_snapshots.py --snapshot-update`` and look at the report.

Everything on screen is fixed: the bank, the drills, the seed, the clock and an empty DRILL_HOME;
cursors do not blink and notifications are cleared before the picture is taken.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from engine.app.messages import DrillRunFinished
from engine.drills.catalog import get_drill
from engine.drills.results import ERROR, FAIL, PASS, SKIPPED, Check, Diagnosis, RunResult
from engine.drills.view import result_view


def settled(*keys: str, then=None):
    """A ``run_before`` that presses ``keys``, runs ``then(app)``, and leaves a still picture."""

    async def run_before(pilot) -> None:
        app = pilot.app
        await pilot.press(*keys)
        await app.workers.wait_for_complete()
        await pilot.pause()
        if then is not None:
            then(app)
            await pilot.pause()
        for field in app.screen.query(Input):
            field.cursor_blink = False
        app.clear_notifications()

    return run_before


def failing_result() -> RunResult:
    bug = get_drill("forward_diffusion").bug("forward.no_sqrt")
    return RunResult(
        drill="forward_diffusion",
        status=FAIL,
        checks=[
            Check("shape.a", "shape", PASS, "x_t and noise have the batch's shape (3, 2, 5, 7)", 1, 1),
            Check("shape.b", "shape", PASS, "batch equal to width (4, 3, 6, 4)", 1, 1),
            Check("formula.a", "formula", FAIL, "x_t differs from √ᾱ_t·x_0 + √(1−ᾱ_t)·ε", 0, 2,
                  evidence="largest error 0.41 at [2, 0, 3, 1]\nexpected  0.732   got  0.322"),
            Check("formula.b", "formula", ERROR, "the noise is standard normal", 0, 1),
            Check("behaviour.a", "behaviour", SKIPPED, "Not checked: fix the failing checks above first.", 0, 1),
        ],
        diagnoses=[Diagnosis(bug.key, bug.title, bug.explanation, bug.hint)],
        duration_s=1.8,
    )


def show_result(app) -> None:
    app.screen.post_message(DrillRunFinished("forward_diffusion", Path("forward_diffusion.py"), result_view(failing_result())))


def test_home(snap_compare, make_app):
    assert snap_compare(make_app(), run_before=settled())


def test_quiz_question(snap_compare, make_app):
    assert snap_compare(make_app(), run_before=settled("q"))


def test_quiz_feedback(snap_compare, make_app):
    assert snap_compare(make_app(), run_before=settled("q", "2"))


def test_drills(snap_compare, make_app):
    assert snap_compare(make_app(), run_before=settled("d", "down", "down", then=show_result))


def test_exam_setup(snap_compare, make_app):
    assert snap_compare(make_app(), run_before=settled("e"))


def test_exam_question(snap_compare, make_app):
    assert snap_compare(make_app(), run_before=settled("e", "enter", "1"))


def test_exam_summary(snap_compare, make_app):
    assert snap_compare(make_app(), run_before=settled("e", "enter", "1", "f", "f"))


def test_progress(snap_compare, make_app):
    assert snap_compare(make_app(), run_before=settled("p"))


def test_help(snap_compare, make_app):
    assert snap_compare(make_app(), run_before=settled("question_mark"))


def typed_quiz(answer: str | None = None):
    """A ``run_before`` that opens the quiz on its first typed question and, when given, answers it."""

    async def run_before(pilot) -> None:
        app = pilot.app
        await pilot.press("q")
        screen = app.screen
        while screen.presented.question.kind == "choice":
            right = next(i for i, choice in enumerate(screen.presented.choices) if choice.correct)
            await pilot.press(str(right + 1), "enter")
        if answer is not None:
            await pilot.press(*[{" ": "space"}.get(character, character) for character in answer], "enter")
        await pilot.pause()
        for field in app.screen.query(Input):
            field.cursor_blink = False
        app.clear_notifications()

    return run_before


def test_quiz_typed_question(snap_compare, make_app, typed_bank):
    assert snap_compare(make_app(bank=typed_bank), run_before=typed_quiz())


def test_quiz_typed_feedback(snap_compare, make_app, typed_bank):
    assert snap_compare(make_app(bank=typed_bank), run_before=typed_quiz("torch.cumsum"))
