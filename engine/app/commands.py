"""Command palette entries: every action the app offers, and each drill by name."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    # The app module imports this one: the name is only needed by the type checker.
    from engine.app.app import DrillApp

# (title, help, action): the same actions the keys and the home list run.
ACTIONS = (
    ("Home", "What to do next, your streak and mastery per topic", "app.home"),
    ("Review due questions", "Questions due for review first, then the weakest topics", "app.quiz('review')"),
    ("Quiz the weakest topic", "Questions from the topic with the least mastered", "app.quiz('weakest')"),
    ("Quiz", "Carry on the unfinished quiz, or ten mixed questions", "app.quiz('mixed')"),
    ("Next drill", "The drill you began, or the next new one", "app.next_drill"),
    ("Drills", "Browse every drill by lesson and topic", "app.drills"),
    ("Mock assessment", "A timed exam of questions and coding drills; resumes where you stopped", "app.exam"),
    ("Rehearse the assessment", "The course's notebook with blanks: checked, trained, then graded as the grader does", "app.rehearse"),
    ("Progress", "History per topic and drill, scores over time", "app.progress"),
    ("Export report", "Write the HTML progress report", "app.export_report"),
    ("Help", "Every key binding", "app.help"),
)


class StudyCommands(Provider):
    # Textual types the provider's app as ``App[object]``; ours is an ``App[None]``, which mypy cannot
    # substitute (App is invariant in its return type), though it is the very same object.
    @property
    def app(self) -> DrillApp:  # type: ignore[override]
        return cast("DrillApp", super().app)

    def _commands(self) -> Iterator[tuple[str, str, str]]:
        yield from ACTIONS
        for drill in self.app.drills:
            yield f"Drill: {drill.id}", drill.title, f"app.drills('{drill.id}')"

    async def discover(self) -> Hits:
        for title, help_text, action in ACTIONS:
            yield DiscoveryHit(title, partial(self.app.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action in self._commands():
            score = matcher.match(title)
            if score > 0:
                command = partial(self.app.run_action, action)
                yield Hit(score, matcher.highlight(title), command, text=title, help=help_text)
