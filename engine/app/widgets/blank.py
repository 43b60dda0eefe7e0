"""A typed question's answer field: the code with its blank, an input line, and after the answer
the verdict on what was typed (the matching mistake's title and explanation, and the course's line).

Enter in the field posts :class:`BlankSubmitted`; the screen that owns the question answers it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Markdown, Static

from engine.app.messages import BlankSubmitted
from engine.quiz.blank_code import BLANK

if TYPE_CHECKING:
    from engine.quiz.typed import TypedVerdict

NOTE = f"Type what goes in the blank {BLANK}, then Enter. Code is judged by meaning: aliases and argument order do not matter."


def code_markdown(code: str) -> str:
    return f"```python\n{code}\n```"


class BlankAnswer(Vertical):
    def __init__(self, code: str, note: str = NOTE) -> None:
        super().__init__(classes="blank")
        self.code = code
        self.note = note

    def compose(self) -> ComposeResult:
        yield Markdown(code_markdown(self.code), classes="blank-code")
        yield Static(self.note, classes="blank-note")
        yield Input(placeholder=BLANK, classes="blank-input", compact=True)
        yield Static(classes="blank-verdict")
        yield Markdown(classes="blank-feedback")

    @property
    def value(self) -> str:
        return self.query_one(Input).value

    def focus_input(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(BlankSubmitted(event.value))

    def reveal(self, verdict: TypedVerdict) -> None:
        """Freeze the field and say what the answer was worth, and why."""
        field = self.query_one(Input)
        field.disabled = True
        self.set_class(verdict.accepted, "-right")
        self.set_class(not verdict.accepted, "-wrong")
        line = self.query_one(".blank-verdict", Static)
        mark = ("✓ ", "bold $text-success") if verdict.accepted else ("✗ ", "bold $text-error")
        line.update(Content.assemble(mark, Content(verdict.line)))
        line.display = True
        if verdict.accepted:
            return
        # The feedback is the bank's Markdown (`code` spans); the learner's own text above stays plain.
        why = f"**{verdict.feedback.title}**: {verdict.feedback.explanation}\n\n" if verdict.feedback else ""
        feedback = self.query_one(".blank-feedback", Markdown)
        feedback.update(f"{why}The course writes: `{verdict.answer}`")
        feedback.display = True
