"""The drills: a tree by lesson and topic with each drill's status, its task, and the learner's
loop: create the starter, edit it in ``$EDITOR`` (the app steps aside meanwhile), run the checks.

The grader runs in a thread worker, so the screen keeps answering while the learner's code runs,
even when it hangs until its time limit; a timer shows how long it has been running.
"""

from __future__ import annotations

import time
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Button, Footer, Header, Markdown, Static, Tree
from textual.widgets.tree import TreeNode

from engine.app.editor import edit, shown
from engine.app.messages import DrillRunFinished, DrillRunRefused
from engine.app.screens.base import DrillScreen
from engine.app.widgets.result import RunResultView
from engine.drills import progress, workspace
from engine.drills.attempts import grade_attempt
from engine.drills.catalog import Drill
from engine.drills.view import ResultView
from engine.errors import UsageError

STATUS_MARKS = {
    progress.NEW: ("·", ""),
    progress.STARTED: ("○", "text-accent"),
    progress.ATTEMPTED: ("✗", "text-warning"),
    progress.DONE: ("✓", "text-success"),
}


class DrillsScreen(DrillScreen):
    CSS_PATH = "drills.tcss"
    BINDINGS = [
        Binding("s", "start", "Start"),
        Binding("S", "start(True)", "Fresh start", show=False),
        Binding("e", "edit", "Edit"),
        Binding("r", "run", "Run checks"),
        Binding("h", "hint", "Hint"),
        Binding("o", "solution", "Solution"),
    ]

    def __init__(self, selected: str | None = None) -> None:
        super().__init__()
        self.selected = selected
        self.drill: Drill | None = None
        # The latest result per drill in this visit, as shown.
        self.results: dict[str, ResultView] = {}
        self.running: tuple[Drill, float] | None = None
        self._ticker: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield Tree[str]("Drills", id="drill-tree")
            with VerticalScroll(id="drill-detail"):
                yield Static(id="drill-title")
                yield Static(id="drill-meta")
                yield Markdown(id="drill-task")
                yield Static(id="drill-file")
                with Horizontal(id="drill-buttons"):
                    yield Button("Start s", id="start", compact=True)
                    yield Button("Edit e", id="edit", compact=True)
                    yield Button("Run r", id="run", variant="primary", compact=True)
                    yield Button("Hint h", id="hint", compact=True)
                yield Static(id="drill-hint")
                yield Markdown(id="drill-solution")
                yield RunResultView(id="drill-result")
        yield Footer()

    def on_mount(self) -> None:
        from engine.drills.warm import session_grader

        # Warm the grader while the learner reads: the first run then costs a fork, not a torch import.
        session_grader().start()
        tree = self.query_one(Tree)
        tree.show_root = False
        tree.guide_depth = 2
        tree.border_title = "Drills"
        leaves: dict[str, TreeNode[str]] = {}
        for lesson in dict.fromkeys(drill.lesson for drill in self.app.drills):
            lesson_node = tree.root.add(lesson, expand=True)
            in_lesson = [drill for drill in self.app.drills if drill.lesson == lesson]
            for topic in dict.fromkeys(drill.topic for drill in in_lesson):
                topic_node = lesson_node.add(topic, expand=True)
                for drill in (d for d in in_lesson if d.topic == topic):
                    leaves[drill.id] = topic_node.add_leaf(self._label(drill), data=drill.id)
        self.app.theme_changed_signal.subscribe(self, lambda _: self._refresh_labels())
        tree.focus()
        chosen = leaves.get(self.selected) if self.selected is not None else None
        target = chosen or next(iter(leaves.values()), None)
        if target is not None:
            # The tree lays out its lines on the next refresh; the cursor can only move after that.
            self.call_after_refresh(tree.move_cursor, target)
            self._show(self._drill(target.data))

    def _label(self, drill: Drill) -> Text:
        # Tree labels are Rich text, which knows no theme variables: the colour is looked up in the theme.
        mark, variable = STATUS_MARKS[progress.status(self.app.store, drill)]
        return Text.assemble((mark, self.app.theme_variables.get(variable, "dim")), f" {drill.id}")

    def _refresh_labels(self) -> None:
        for lesson_node in self.query_one(Tree).root.children:
            for topic_node in lesson_node.children:
                for leaf in topic_node.children:
                    leaf.set_label(self._label(self._drill(leaf.data)))

    @on(Tree.NodeHighlighted, "#drill-tree")
    def _highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        if event.node.data is not None:
            self._show(self._drill(event.node.data))

    def _drill(self, drill_id: str | None) -> Drill:
        # The tree's leaves and the grader's messages only carry ids of the app's own drills.
        drill = self.app.drill(drill_id) if drill_id is not None else None
        if drill is None:
            raise LookupError(f"no drill {drill_id!r} in this app")
        return drill

    def _path(self, drill: Drill) -> Path:
        return self.app.workspace() / f"{drill.id}.py"

    def _show(self, drill: Drill) -> None:
        self.drill = drill
        state = progress.status(self.app.store, drill)
        self.query_one("#drill-title", Static).update(Content.styled(drill.title, "bold"))
        kind = "debug drill · " if drill.debug else ""
        self.query_one("#drill-meta", Static).update(
            f"{kind}{drill.lesson} · {drill.section} · {state} · {drill.time_limit_s:.0f} s limit"
        )
        self.query_one("#drill-task", Markdown).update(drill.summary)
        path = self._path(drill)
        self.query_one("#drill-file", Static).update(
            Content(f"Your file: {shown(path)}")
            if path.exists()
            else Content.from_markup("No file yet: [b $accent]s[/] writes the starter.")
        )
        self.query_one("#drill-hint", Static).display = False
        self.query_one("#drill-solution").display = False
        view = self.query_one(RunResultView)
        if self.running and self.running[0].id == drill.id:
            self._tick()
        elif drill.id in self.results:
            view.show(self.results[drill.id])
        else:
            view.remove_children()

    @on(Button.Pressed)
    async def _pressed(self, event: Button.Pressed) -> None:
        # Each button's id is the action it runs.
        if event.button.id is not None:
            await self.run_action(event.button.id)

    def action_start(self, fresh: bool = False) -> None:
        if self.drill is None:
            return
        path, created = workspace.start(self.drill, self.app.workspace(), self.app.store, fresh=fresh)
        progress.mark_started(self.app.store, self.drill)
        if created:
            self.notify(f"Wrote {shown(path)}. e opens it in your editor.", title="Starter ready", markup=False)
        else:
            self.notify(f"Kept your file {shown(path)}. Shift+S replaces it with a fresh starter.", markup=False)
        self._refresh_labels()
        self._show(self.drill)

    def action_edit(self) -> None:
        if self.drill is None:
            return
        path = self._path(self.drill)
        if not path.exists():
            self.notify("There is no file yet: s writes the starter.", severity="warning")
            return
        edit(self.app, path)

    def action_run(self) -> None:
        from engine.drills.runner import learner_file

        if self.drill is None:
            return
        if self.running is not None:
            self.notify(f"The checks for {self.running[0].id} are still running.", severity="warning")
            return
        try:
            path = learner_file(self.drill, None, self.app.workspace())
        except UsageError:
            self.notify("There is no file yet: s writes the starter.", severity="warning")
            return
        self.running = (self.drill, time.monotonic())
        self._tick()
        self._ticker = self.set_interval(1.0, self._tick)
        # An app-level worker: leaving this screen does not cancel the run, and the engine records it.
        self.app.run_worker(lambda drill=self.drill: self._grade(drill, path), thread=True, group="grader")

    def _tick(self) -> None:
        if self.running is None or self.drill is None or self.running[0].id != self.drill.id:
            return
        drill, started = self.running
        self.query_one(RunResultView).show_running(drill.id, time.monotonic() - started, drill.time_limit_s)

    def _grade(self, drill: Drill, path: Path) -> None:
        """In a worker thread: grade and record the attempt, then tell this screen (if it is still there)."""
        from engine.drills.warm import session_grader

        try:
            # One warm grader for the app's lifetime: a re-run costs a fork, not a torch import.
            attempt = grade_attempt(drill, path, self.app.store, grader=session_grader())
        except UsageError as problem:
            self.post_message(DrillRunRefused(drill.id, str(problem)))
            return
        self.post_message(DrillRunFinished(drill.id, path, attempt.view))

    def _stop_running(self) -> None:
        if self._ticker is not None:
            self._ticker.stop()
        self.running = None

    @on(DrillRunRefused)
    def _refused(self, message: DrillRunRefused) -> None:
        self._stop_running()
        if self.drill is not None:
            self._show(self.drill)
        self.notify(message.reason, title=f"{message.drill_id} was not run", severity="error", markup=False)

    @on(DrillRunFinished)
    def _graded(self, message: DrillRunFinished) -> None:
        drill = self._drill(message.drill_id)
        self._stop_running()
        view = message.view
        self.results[drill.id] = view
        self._refresh_labels()
        if self.drill is not None and self.drill.id == drill.id:
            self._show(drill)
        verdict = "passes" if view.passed else ("could not be graded" if view.error else "fails")
        self.notify(f"{drill.id} {verdict}: {view.score_text}", severity="information" if view.passed else "warning")

    def action_hint(self) -> None:
        if self.drill is None:
            return
        given = progress.next_hint(self.app.store, self.drill)
        hint = self.query_one("#drill-hint", Static)
        hint.update(Content.assemble((f"{given.heading}\n", "bold $text-accent"), given.text))
        hint.display = True
        hint.scroll_visible(animate=False)

    def action_solution(self) -> None:
        if self.drill is None:
            return
        if not progress.has_passed(self.app.store, self.drill):
            self.notify("The model solution opens once your own file passes.", severity="warning")
            return
        code = self.drill.solution_path.read_text(encoding="utf-8")
        solution = self.query_one("#drill-solution", Markdown)
        solution.update(f"**Model solution**\n\n```python\n{code}\n```")
        solution.display = True
        solution.scroll_visible(animate=False)
