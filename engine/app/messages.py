"""Every message the app's workers and widgets post, in one place.

Workers never touch widgets: they post one of these, and a handler on the screen (or the app)
that owns the state applies it. A worker's message goes straight to its owner, so it does not
bubble; a widget's (``ChoicePicked``, ``BlankSubmitted``) bubbles up to the screen that handles it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from engine.drills.results import RunResult
    from engine.drills.view import ResultView
    from engine.quiz.bank import Bank
    from engine.rehearse.events import Event
    from engine.rehearse.runner import Outcome


class BankLoaded(Message, bubble=False):
    """The quiz bank finished loading in the background."""

    def __init__(self, bank: Bank) -> None:
        self.bank = bank
        super().__init__()


class BankFailed(Message, bubble=False):
    """The quiz bank could not be loaded; ``problems`` is the loader's report, one problem a line."""

    def __init__(self, problems: str) -> None:
        self.problems = problems
        super().__init__()


class ChoicePicked(Message):
    """A quiz choice was clicked; ``position`` counts from 0 in the order shown."""

    def __init__(self, position: int) -> None:
        self.position = position
        super().__init__()


class BlankSubmitted(Message):
    """Enter was pressed in a typed question's answer field; ``text`` is what it holds."""

    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__()


class DrillRunFinished(Message, bubble=False):
    """The grader returned for ``path`` and the engine recorded the attempt; ``view`` is what to show."""

    def __init__(self, drill_id: str, path: Path, view: ResultView) -> None:
        self.drill_id = drill_id
        self.path = path
        self.view = view
        super().__init__()


class DrillRunRefused(Message, bubble=False):
    """The grader refused the run as asked (e.g. $DRILL_DEVICE names a device this machine lacks); nothing is recorded."""

    def __init__(self, drill_id: str, reason: str) -> None:
        self.drill_id = drill_id
        self.reason = reason
        super().__init__()


class ReportExported(Message, bubble=False):
    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__()


class ReportFailed(Message, bubble=False):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__()


class ExamDrillGraded(Message, bubble=False):
    """The exam's grader returned for the current drill item (the exam may have run out meanwhile)."""

    def __init__(self, result: RunResult) -> None:
        self.result = result
        super().__init__()


class ExamDrillRefused(Message, bubble=False):
    """The exam would not grade the drill: the time was up, or there was no file; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__()


class RehearsalEvent(Message, bubble=False):
    """The rehearsal's child process reported ``event`` (blanks checked, progress, samples, verdict)."""

    def __init__(self, event: Event) -> None:
        self.event = event
        super().__init__()


class RehearsalFinished(Message, bubble=False):
    """The rehearsal ended (passed, failed, errored or was stopped); ``outcome`` says where.
    ``refused`` is set instead when it could not start (a usage error), and says why."""

    def __init__(self, outcome: Outcome | None, refused: str = "") -> None:
        self.outcome = outcome
        self.refused = refused
        super().__init__()
