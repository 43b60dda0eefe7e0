"""SVG screenshots of every screen of the app, for the docs:

    python -m engine.app.screenshots docs/screenshots

The learner is the report's seeded synthetic one (``engine.reports.sample``), studying in a
temporary DRILL_HOME, never the real one; the drill result is a real grader run on a file with a
catalogued bug. Screens are taken at 80×24, the size the app is designed to stay readable at.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.quiz.bank import Bank
    from engine.quiz.session import QuizSession
    from engine.store import Store

SIZE = (80, 24)
SEED = 7
# forward_diffusion with the catalogued bug "forward.no_sqrt": variances where square roots belong.
NO_SQRT = """import torch


def forward_diffusion(x_0, t, noise_schedule):
    noise = torch.randn_like(x_0)
    alpha_bar = noise_schedule["alpha_bar"][t].view(-1, 1, 1, 1)
    return alpha_bar * x_0 + (1 - alpha_bar) * noise, noise
"""


class Clock:
    """The app's clock, held still so that the pictures do not depend on when they are taken."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def code_question_session(bank: Bank, store: Store, now: datetime) -> QuizSession:
    """A quiz session whose first question shows a highlighted code block."""
    from engine.quiz.session import QuizSession, SessionSpec

    section = next(question.section for question in bank if "```" in question.prompt)
    for seed in range(100):
        session = QuizSession.start(bank, store, SessionSpec(sections=(section,), count=5, seed=seed), now=now)
        current = session.current()
        if current is not None and "```" in current.question.prompt:
            return session
    raise LookupError(f"no seed puts a code question first in {section}")


def typed_question_session(bank: Bank, store: Store, now: datetime) -> QuizSession:
    """A quiz session of the course's assessment blanks whose first question is typed."""
    from engine.quiz.session import QuizSession, SessionSpec

    for seed in range(100):
        session = QuizSession.start(bank, store, SessionSpec(sections=("course.assessment",), count=5, seed=seed), now=now)
        current = session.current()
        if current is not None and current.question.kind == "typed":
            return session
    raise LookupError("no seed puts a typed question first in course.assessment")


def mistaken_answer(session: QuizSession) -> list[str]:
    """The keys that type the current typed question's first catalogued mistake, then Enter."""
    from engine.quiz.models import TypedQuestion

    current = session.current()
    if current is None or not isinstance(current.question, TypedQuestion):
        raise LookupError("the session's current question is not a typed one")
    text = current.question.mistakes[0].answer
    return [*({" ": "space"}.get(character, character) for character in text), "enter"]


async def take(folder: Path, home: Path) -> list[Path]:
    from textual.widgets import Collapsible, Input

    from engine.app.app import DrillApp
    from engine.app.screens.exam import ExamScreen
    from engine.app.screens.quiz import QuizScreen
    from engine.drills.catalog import all_drills
    from engine.exam.compose import ExamSpec
    from engine.quiz.bank import load_bank
    from engine.reports.sample import fill
    from engine.store import Store

    bank = load_bank()
    store = Store(home / "progress.sqlite3")
    clock = Clock(fill(store, home / "workspace", bank, [d for d in all_drills() if d.starter_path.is_file()], SEED))
    (home / "workspace" / "forward_diffusion.py").write_text(NO_SQRT, encoding="utf-8")
    app = DrillApp(store=store, bank=bank, clock=clock, seed=SEED, exam_spec=ExamSpec(minutes=30, seed=SEED, drills=1))
    written: list[Path] = []

    async with app.run_test(size=SIZE) as pilot:

        async def shot(name: str, *keys: str, before: Callable[[], Awaitable[None] | None] | None = None) -> None:
            await pilot.press(*keys)
            if before is not None:
                result = before()
                if result is not None:
                    await result
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.wait_for_scheduled_animations()
            app.clear_notifications()
            for field in app.screen.query(Input):
                field.cursor_blink = False
            await pilot.pause()
            written.append(Path(app.save_screenshot(f"{name}.svg", path=str(folder))))

        await shot("home")
        await shot("quiz-question", before=lambda: app.open(QuizScreen(code_question_session(bank, store, clock()))))
        await shot("quiz-feedback", "1")
        typed = typed_question_session(bank, store, clock())
        await shot("quiz-typed", "escape", before=lambda: app.open(QuizScreen(typed)))
        await shot("quiz-typed-feedback", *mistaken_answer(typed))
        await shot("drills", "escape", before=lambda: app.action_drills("forward_diffusion"))
        await shot("drills-result", "r")
        await shot("progress", "escape", "p", "down", "down")
        await shot("progress-drills", "d", "down")
        await shot("exam-setup", "escape", "e")
        await shot("exam-question", "enter", "1", "2")
        clock.now += timedelta(minutes=26)

        def tick() -> None:
            screen = app.screen
            assert isinstance(screen, ExamScreen)
            screen.tick()

        await shot("exam-warning", before=tick)
        clock.now += timedelta(minutes=5)
        await shot("exam-summary", before=tick)

        def expand_review() -> None:
            app.screen.query_one(Collapsible).collapsed = False

        await shot("exam-review", before=expand_review)
        await shot("help", "question_mark")
        await shot("palette", "escape", "ctrl+p", *"drill")
    store.close()
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m engine.app.screenshots OUTPUT_FOLDER", file=sys.stderr)
        return 2
    folder = Path(args[0]).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        # HOME too, so that the files shown as ~/… read the same on every run.
        os.environ["DRILL_HOME"] = os.environ["HOME"] = scratch
        for path in asyncio.run(take(folder, Path(scratch))):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
