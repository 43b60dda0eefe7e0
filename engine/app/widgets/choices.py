"""A quiz choice: its number key, its Markdown text, and after the answer its verdict and why."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.events import Click
from textual.reactive import reactive
from textual.widgets import Label, Markdown

from engine.app.messages import ChoicePicked

MULTI_NOTE = "[b $warning]Select all that apply:[/] toggle with the number keys, then Enter."

if TYPE_CHECKING:
    from engine.quiz.session import ChoiceFeedback


class ChoiceItem(Horizontal):
    picked: reactive[bool] = reactive(False)

    def __init__(self, position: int, text: str, multi: bool) -> None:
        super().__init__(classes="choice")
        self.position = position
        self.text = text
        self.multi = multi

    def compose(self) -> ComposeResult:
        yield Label(self._key_text(), classes="choice-key")
        with Vertical(classes="choice-body"):
            yield Markdown(self.text, classes="choice-text")
            yield Markdown(classes="choice-why")

    def _key_text(self) -> str:
        box = ("☑ " if self.picked else "☐ ") if self.multi else ""
        return f"{box}{self.position + 1}"

    def watch_picked(self, picked: bool) -> None:
        self.set_class(picked, "-picked")
        if self.is_mounted:
            self.query_one(".choice-key", Label).update(self._key_text())

    def on_click(self, event: Click) -> None:
        event.stop()
        self.post_message(ChoicePicked(self.position))

    def reveal(self, feedback: ChoiceFeedback) -> None:
        """Show whether this choice was right, and why; a wrong pick is marked as the learner's."""
        self.set_class(feedback.correct, "-right")
        self.set_class(feedback.picked and not feedback.correct, "-wrong")
        mark = "✓" if feedback.correct else ("✗" if feedback.picked else " ")
        self.query_one(".choice-key", Label).update(f"{mark} {self.position + 1}")
        why = self.query_one(".choice-why", Markdown)
        why.update(feedback.why)
        why.display = True
