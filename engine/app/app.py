"""The app: owns the store, the quiz bank and the clock, and the actions every screen, key and
palette entry leads to. Each action is a call into the engine that the CLI can make too.

Navigation keeps Home at the bottom of the stack and at most one screen above it, so Escape
always leads home and no screen is left running underneath another.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from engine import overview
from engine.app import messages
from engine.app.commands import StudyCommands
from engine.app.screens.drills import DrillsScreen
from engine.app.screens.exam import ExamScreen
from engine.app.screens.help import HelpScreen
from engine.app.screens.home import HomeScreen
from engine.app.screens.progress import ProgressScreen
from engine.app.screens.quiz import QuizScreen
from engine.app.screens.rehearsal import RehearsalScreen
from engine.drills.attempts import interrupt_own
from engine.drills.catalog import Drill, all_drills
from engine.store import DatabaseRecoveredWarning, Store

if TYPE_CHECKING:
    # The bank and the exam load pydantic: imported where they are used, after start-up.
    from engine.exam.compose import ExamSpec
    from engine.quiz.bank import Bank

Clock = Callable[[], datetime]

QUIZ_LENGTH = 10


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class DrillApp(App[None]):
    TITLE = "dli-drill"
    SUB_TITLE = "Generative AI with Diffusion Models"
    CSS_PATH = [
        "app.tcss",
        "widgets/mastery.tcss",
        "widgets/choices.tcss",
        "widgets/blank.tcss",
        "widgets/result.tcss",
        "widgets/countdown.tcss",
    ]
    COMMANDS = App.COMMANDS | {StudyCommands}
    # A mode rather than get_default_screen(): Textual loads a screen's CSS_PATH only on the mode path.
    MODES = {"home": HomeScreen}
    DEFAULT_MODE = "home"
    BINDINGS = [
        Binding("question_mark", "help", "Help"),
        # F1 as well, for when a form field takes the "?".
        Binding("f1", "help", "Help", show=False),
        Binding("escape", "home", "Home"),
    ]

    bank: reactive[Bank | None] = reactive(None)
    bank_failed: reactive[bool] = reactive(False)

    def __init__(
        self,
        store: Store | None = None,
        bank: Bank | None = None,
        drills: Sequence[Drill] | None = None,
        clock: Clock = utc_now,
        seed: int | None = None,
        exam_spec: ExamSpec | None = None,
    ) -> None:
        """Every argument is for tests and scripted screenshots; the defaults are the learner's own data."""
        super().__init__()
        if store is None:
            with warnings.catch_warnings():
                # Shown as a notification once the app is up.
                warnings.simplefilter("ignore", DatabaseRecoveredWarning)
                store = Store()
        self.store = store
        self.drills: tuple[Drill, ...] = tuple(drills) if drills is not None else all_drills()
        self.clock = clock
        self.seed = seed
        self.exam_spec = exam_spec
        self._given_bank = bank

    def on_unmount(self) -> None:
        # A run still under way when the app closes is recorded as interrupted, never silently lost.
        interrupt_own(self.store)

    def on_mount(self) -> None:
        for notice in self.store.notices:
            self.notify(notice.message, title=notice.title, severity="warning", timeout=15, markup=False)
        if self._given_bank is not None:
            self.bank = self._given_bank
        else:
            self._load_bank()

    @work(thread=True)
    def _load_bank(self) -> None:
        # pydantic and the JSON files take a few hundred milliseconds: the home screen is usable meanwhile.
        from engine.quiz.bank import BankError, load_bank

        try:
            bank = load_bank()
        except BankError as error:
            self.post_message(messages.BankFailed(str(error)))
            return
        self.post_message(messages.BankLoaded(bank))

    @on(messages.BankLoaded)
    def _bank_loaded(self, message: messages.BankLoaded) -> None:
        self.bank = message.bank

    @on(messages.BankFailed)
    def _bank_failed(self, message: messages.BankFailed) -> None:
        self.bank_failed = True
        self.notify(message.problems, title="The quiz bank has problems", severity="error", timeout=30, markup=False)

    def no_bank_yet(self) -> None:
        """Say why a quiz or an exam cannot start without the bank."""
        if self.bank_failed:
            self.notify("The quiz bank could not be loaded: `drill quiz --check` lists its problems.", severity="error")
        else:
            self.notify("The question bank is still loading; try again in a moment.", severity="warning")

    def workspace(self) -> Path:
        """The folder for the learner's drill files (``$DRILL_HOME/workspace``), created on first use."""
        from engine.paths import workspace

        return workspace()

    def drill(self, drill_id: str) -> Drill | None:
        return next((drill for drill in self.drills if drill.id == drill_id), None)

    def open(self, screen: Screen[None]) -> None:
        """Show ``screen`` directly above Home, closing whatever was there."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(screen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # "Home" from Home would do nothing, so the footer doesn't offer it there.
        return not (action == "home" and len(self.screen_stack) == 1)

    def action_home(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_quiz(self, mode: str = "mixed") -> None:
        """``mixed``: carry on an unfinished session, else ten new questions; ``review``: due ones first;
        ``weakest``: the weakest topic's questions."""
        from engine.quiz.session import EmptySelection, QuizSession, SessionSpec

        if self.bank is None:
            self.no_bank_yet()
            return
        session = None
        if mode == "mixed":
            session = QuizSession.resume(self.bank, self.store)
            if session is not None and session.finished:
                session = None
        if session is None:
            spec = SessionSpec(count=QUIZ_LENGTH, seed=self.seed, review=mode != "mixed")
            if mode == "weakest":
                weakest = overview.weakest_topic(overview.mastery(self.store, self.bank, self.drills, self.clock()))
                topics = (weakest.name,) if weakest else ()
                spec = SessionSpec(topics=topics, count=QUIZ_LENGTH, seed=self.seed, review=True)
            try:
                session = QuizSession.start(self.bank, self.store, spec, now=self.clock())
            except EmptySelection:
                topic = ", ".join(spec.topics)
                self.notify(f"There are no questions on {topic}; its drills are the way in.", severity="warning")
                return
        self.open(QuizScreen(session))

    def action_drills(self, drill_id: str = "") -> None:
        self.open(DrillsScreen(selected=drill_id or None))

    def action_next_drill(self) -> None:
        drill, _ = overview.next_drill(self.store, self.drills)
        if drill is None:
            self.notify("Every drill passes. Pick one to practise again.")
        self.action_drills(drill.id if drill else "")

    def action_exam(self) -> None:
        self.open(ExamScreen())

    def action_progress(self) -> None:
        self.open(ProgressScreen())

    def action_rehearse(self) -> None:
        self.open(RehearsalScreen())

    def action_export_report(self) -> None:
        self._export_report()

    @work(thread=True, group="report")
    def _export_report(self) -> None:
        from engine.paths import data_home
        from engine.reports.history import collect
        from engine.reports.render import render

        path = data_home() / "report.html"
        try:
            path.write_text(render(collect(self.store, self.bank, self.drills, self.clock()), "html"), encoding="utf-8")
        except OSError as error:
            self.post_message(messages.ReportFailed(f"{path}: {error.strerror}"))
            return
        self.post_message(messages.ReportExported(path))

    @on(messages.ReportExported)
    def _report_exported(self, message: messages.ReportExported) -> None:
        self.notify(f"Open {message.path} in a browser.", title="Report written", timeout=15, markup=False)

    @on(messages.ReportFailed)
    def _report_failed(self, message: messages.ReportFailed) -> None:
        self.notify(f"The report could not be written: {message.reason}", severity="error", markup=False)
