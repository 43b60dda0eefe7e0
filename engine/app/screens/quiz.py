"""A quiz session: the question as Markdown, choices by number key or click, immediate feedback.

A single-answer question is answered by its first pick; a "select all that apply" one toggles
picks until Enter; a typed question shows its code with the blank and an answer field, answered
with Enter. Every answer goes through ``QuizSession.answer`` (or ``answer_typed``), which records
it, updates its review card and saves the session, so leaving mid-way loses nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Header, Label, Markdown, ProgressBar, Static

from engine.app.messages import BlankSubmitted, ChoicePicked
from engine.app.screens.base import DrillScreen
from engine.app.widgets.blank import BlankAnswer
from engine.app.widgets.choices import MULTI_NOTE, ChoiceItem
from engine.quiz.catalog import CHOICE

if TYPE_CHECKING:
    from engine.quiz.session import AnswerResult, PresentedQuestion, QuizSession

MAX_CHOICES = 6


class QuizScreen(DrillScreen):
    CSS_PATH = "quiz.tcss"
    BINDINGS = [
        Binding("1", "pick(1)", "Pick", key_display="1-6"),
        *(Binding(str(n), f"pick({n})", show=False) for n in range(2, MAX_CHOICES + 1)),
        Binding("enter", "submit", "Submit / next", priority=True),
    ]

    def __init__(self, session: QuizSession) -> None:
        super().__init__()
        self.session = session
        self.presented: PresentedQuestion | None = None
        self.result: AnswerResult | None = None
        self.picked: set[int] = set()
        self.shown_at: datetime | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="quiz-status"):
            yield Label(id="quiz-position")
            yield ProgressBar(total=len(self.session.questions), show_eta=False, id="quiz-progress")
        with VerticalScroll(id="quiz-body"):
            yield Markdown(id="prompt")
            yield Static(id="multi-note")
            yield Vertical(id="choices")
            yield Static(id="verdict")
            yield Markdown(id="explanation")
            yield Static(id="next-note")
        yield Footer()

    async def on_mount(self) -> None:
        await self._show_current()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Picks only while a question waits for its answer; the footer shows what applies now.
        if action == "pick":
            return self.presented is not None and self.result is None and self._is_choice()
        if action == "submit":
            return self.presented is not None
        return True

    def _is_choice(self) -> bool:
        return self.presented is not None and self.presented.question.kind == CHOICE

    async def _show_current(self) -> None:
        # Imported here: the bank's models load pydantic, which the app's start does without.
        from engine.quiz.models import TypedQuestion

        self.result, self.picked = None, set()
        self.presented = self.session.current()
        score = self.session.score()
        self.query_one(ProgressBar).update(progress=score.answered)
        for selector in ("#verdict", "#explanation", "#next-note"):
            self.query_one(selector).display = False
        if self.presented is None:
            await self._show_summary()
            return
        question = self.presented.question
        self.query_one("#quiz-position", Label).update(
            f"{self.presented.number}/{self.presented.total} · {question.section} · {'★' * question.difficulty}"
        )
        await self.query_one("#prompt", Markdown).update(question.prompt)
        multi = question.multi
        note = self.query_one("#multi-note", Static)
        note.update(Content.from_markup(MULTI_NOTE))
        note.display = multi
        choices = self.query_one("#choices", Vertical)
        await choices.remove_children()
        if isinstance(question, TypedQuestion):
            await choices.mount(BlankAnswer(question.code))
            self.query_one(BlankAnswer).focus_input()
        else:
            await choices.mount_all(
                ChoiceItem(position, choice.text, multi) for position, choice in enumerate(self.presented.choices)
            )
        self.query_one("#quiz-body").scroll_home(animate=False)
        self.shown_at = self.app.clock()
        self.refresh_bindings()

    async def _show_summary(self) -> None:
        score = self.session.score()
        self.query_one("#quiz-position", Label).update(f"Session {self.session.id} finished")
        credit = f"Partial credit {score.credit:.2f} of {score.total}. " if score.partial else ""
        await self.query_one("#prompt", Markdown).update(
            f"## {score.correct} of {score.total} correct\n\n{credit}Every answer has been scheduled for review."
        )
        self.query_one("#multi-note").display = False
        await self.query_one("#choices").remove_children()
        self._note("Escape: home · r on the home screen reviews what is due.")
        self.refresh_bindings()

    def _note(self, text: str) -> None:
        note = self.query_one("#next-note", Static)
        note.update(text)
        note.display = True

    def action_pick(self, number: int) -> None:
        if self.presented is None or self.result is not None:
            return
        position = number - 1
        if position >= len(self.presented.choices):
            self.notify(f"This question has choices 1 to {len(self.presented.choices)}.", severity="warning")
            return
        if not self.presented.question.multi:
            self._answer([position])
            return
        self.picked ^= {position}
        self.query(ChoiceItem)[position].picked = position in self.picked

    @on(ChoicePicked)
    def _clicked(self, message: ChoicePicked) -> None:
        self.action_pick(message.position + 1)

    async def action_submit(self) -> None:
        if self.presented is None:
            return
        if self.result is not None:
            await self._show_current()
        elif not self._is_choice():
            self._answer_typed(self.query_one(BlankAnswer).value)
        elif not self.picked:
            self.notify("Pick a choice first: press its number or click it.", severity="warning")
        else:
            self._answer(sorted(self.picked))

    @on(BlankSubmitted)
    def _typed(self, message: BlankSubmitted) -> None:
        if self.result is None and not self._is_choice():
            self._answer_typed(message.text)

    def _duration(self) -> tuple[datetime, float | None]:
        now = self.app.clock()
        return now, (now - self.shown_at).total_seconds() if self.shown_at else None

    def _answer(self, positions: list[int]) -> None:
        now, duration = self._duration()
        try:
            self.result = self.session.answer(positions, duration_s=duration, now=now)
        except ValueError as error:
            self.notify(f"{error}.", severity="warning", markup=False)
            return
        for item, feedback in zip(self.query(ChoiceItem), self.result.feedback, strict=True):
            item.reveal(feedback)
        self._show_verdict()

    def _answer_typed(self, text: str) -> None:
        now, duration = self._duration()
        try:
            self.result = self.session.answer_typed(text, duration_s=duration, now=now)
        except ValueError as error:
            self.notify(f"{error}.", severity="warning", markup=False)
            return
        assert self.result.typed is not None
        self.query_one(BlankAnswer).reveal(self.result.typed)
        self._show_verdict()

    def _show_verdict(self) -> None:
        assert self.result is not None
        verdict = self.query_one("#verdict", Static)
        if self.result.correct:
            verdict.update(Content.from_markup("[b $text-success]Correct.[/]"))
        else:
            credit = f" (partial credit {self.result.credit:.2f})." if self.result.partial else "."
            verdict.update(Content.assemble(("Not quite", "bold $text-error"), credit))
        verdict.display = True
        explanation = self.query_one("#explanation", Markdown)
        explanation.update(self.result.explanation)
        explanation.display = True
        self.query_one(ProgressBar).update(progress=self.session.score().answered)
        self.refresh_bindings()
        last = self.session.current() is None
        self._note("Enter: " + ("see your score" if last else "next question"))
        verdict.scroll_visible(top=True, animate=False)
