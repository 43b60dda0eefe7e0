"""Home: what to do next, the streak, and mastery per topic. One key for each main action, and the
same actions as a list for the arrow keys and the mouse."""

from __future__ import annotations

import math

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from engine import overview
from engine.app.screens.base import DrillScreen
from engine.app.widgets.mastery import MasteryBars
from engine.drills.progress import DONE, status
from engine.overview import Overview, UnfinishedExam

LOADING = "[dim]loading the question bank…[/]"
UNAVAILABLE = "[dim]the question bank could not be loaded[/]"


def _option(key: str, label: str, detail: str, action: str) -> Option:
    return Option(Content.from_markup(f"[b $accent]{key}[/]  {label}  [dim]{detail}[/]"), id=action)


def _exam_in_progress(exam: UnfinishedExam) -> str:
    # No marks here: they are sealed until the exam is submitted.
    progress = f"exam {exam.exam_id} in progress: {exam.answered}/{exam.total} answered"
    if exam.time_left_s <= 0:
        return f"{progress}, time is up: open it for the result"
    return f"{progress}, {math.ceil(exam.time_left_s / 60)} min left"


class HomeScreen(DrillScreen):
    CSS_PATH = "home.tcss"
    # Not in the footer: the action list shows each key beside its action.
    BINDINGS = [
        Binding("r", "app.quiz('review')", "Review", show=False),
        Binding("w", "app.quiz('weakest')", "Weakest topic", show=False),
        Binding("q", "app.quiz('mixed')", "Quiz", show=False),
        Binding("n", "app.next_drill", "Next drill", show=False),
        Binding("d", "app.drills", "Drills", show=False),
        Binding("e", "app.exam", "Mock assessment", show=False),
        Binding("p", "app.progress", "Progress", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="home-top"):
            yield OptionList(id="actions")
            with Vertical(id="facts"):
                yield Static(id="streak")
                yield Static(id="totals")
        yield MasteryBars(id="mastery")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#actions").border_title = "What next"
        self.query_one("#facts").border_title = "So far"
        self.query_one("#mastery").border_title = "Mastery per topic"
        self.watch(self.app, "bank", lambda _: self.refresh_overview())
        self.watch(self.app, "bank_failed", lambda _: self.refresh_overview(), init=False)

    def on_screen_resume(self) -> None:
        self.refresh_overview()

    def refresh_overview(self) -> None:
        app = self.app
        drill, state = overview.next_drill(app.store, app.drills)
        summary = overview.overview(app.store, app.bank, app.drills, app.clock()) if app.bank is not None else None
        self._show_actions(summary, f"{drill.id} ({state})" if drill else "every drill passes")
        self._show_facts(summary)
        if summary is not None:
            self.query_one(MasteryBars).show(summary.mastery)

    def _show_actions(self, summary: Overview | None, next_drill: str) -> None:
        actions = self.query_one("#actions", OptionList)
        highlighted = actions.highlighted
        if summary is None:
            review = weakest = quiz = UNAVAILABLE if self.app.bank_failed else LOADING
        else:
            review = f"{len(summary.due)} due" if summary.due else "nothing due: weakest topics first"
            weakest = f"{summary.weakest.name}, {summary.weakest.percent:.0f}% mastered" if summary.weakest else ""
            unfinished = summary.unfinished_quiz
            quiz = "ten mixed questions"
            if unfinished:
                quiz = f"carry on: {unfinished.answered}/{unfinished.total} answered"
        exam = "timed, questions and drills"
        if summary is not None and summary.unfinished_exam is not None:
            exam = _exam_in_progress(summary.unfinished_exam)
        actions.set_options(
            [
                _option("r", "Review", review, "app.quiz('review')"),
                _option("w", "Weakest topic", weakest, "app.quiz('weakest')"),
                _option("q", "Quiz", quiz, "app.quiz('mixed')"),
                _option("n", "Next drill", next_drill, "app.next_drill"),
                _option("d", "Drills", f"{len(self.app.drills)} coding drills", "app.drills"),
                _option("e", "Mock assessment", exam, "app.exam"),
                _option("p", "Progress", "history and report", "app.progress"),
            ]
        )
        actions.highlighted = highlighted if highlighted is not None else 0

    def _show_facts(self, summary: Overview | None) -> None:
        if summary is None:
            self.query_one("#streak", Static).update(Content.from_markup(UNAVAILABLE if self.app.bank_failed else LOADING))
            return
        days = "day" if summary.streak == 1 else "days"
        self.query_one("#streak", Static).update(Content.from_markup(f"Streak  [b $success]{summary.streak}[/] {days}"))
        answered = sum(row.attempts for row in summary.mastery)
        right = sum(row.correct for row in summary.mastery)
        accuracy = f" ({right / answered:.0%} right)" if answered else ""
        passed = sum(status(self.app.store, drill) == DONE for drill in self.app.drills)
        self.query_one("#totals", Static).update(
            f"Answers {answered}{accuracy}\nDrills  {passed}/{len(self.app.drills)} passed\nDue     {len(summary.due)}"
        )

    @on(OptionList.OptionSelected, "#actions")
    async def _run_selected(self, event: OptionList.OptionSelected) -> None:
        # Each option's id is the action it runs.
        if event.option.id is not None:
            await self.run_action(event.option.id)
