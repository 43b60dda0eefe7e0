"""Mastery per topic as a column of labelled bars."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, ProgressBar

if TYPE_CHECKING:
    from engine.reports.history import Mastery


def counts(row: Mastery) -> str:
    parts = []
    if row.questions_total:
        parts.append(f"{row.questions_mastered}/{row.questions_total} q")
    if row.drills_total:
        parts.append(f"{row.drills_passed}/{row.drills_total} d")
    return "  ".join(parts)


class MasteryRow(Horizontal):
    def __init__(self, row: Mastery) -> None:
        super().__init__(classes="mastery-row")
        self.row = row

    def compose(self) -> ComposeResult:
        yield Label(self.row.name, classes="mastery-topic")
        yield ProgressBar(total=100, show_eta=False, show_percentage=True)
        yield Label(counts(self.row), classes="mastery-count")

    def on_mount(self) -> None:
        self.query_one(ProgressBar).progress = self.row.percent


class MasteryBars(Vertical):
    """Rebuilt whole on each update: a handful of rows, and topics may come and go with the bank."""

    def show(self, rows: Sequence[Mastery]) -> None:
        self.remove_children()
        self.mount_all(MasteryRow(row) for row in rows)
