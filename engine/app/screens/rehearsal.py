"""The rehearsal: the whole assessment on the learner's own notebook, as ``drill rehearse`` runs it.

``s`` writes the notebook, ``e`` opens it in the editor, ``r`` runs it with the chosen profile and
``x`` stops the run. The run happens in the rehearsal's child process, driven from a thread
worker that only posts messages; this screen applies them: the blanks' feedback, a progress bar
with the loss and the time left, then the 50 digits in half-blocks and the table per digit.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Label, ProgressBar, Select, Static, TabbedContent, TabPane

from engine.app.editor import edit, shown
from engine.app.messages import RehearsalEvent, RehearsalFinished
from engine.rehearse import events, grid, render
from engine.rehearse.profiles import DEFAULT, PROFILES
from engine.rehearse.record import PASS
from engine.rehearse.runner import WORKSPACE_NAME

if TYPE_CHECKING:
    from engine.app.app import DrillApp
    from engine.rehearse.runner import Rehearsal


class RehearsalScreen(Screen[None]):
    CSS_PATH = "rehearsal.tcss"
    BINDINGS = [
        Binding("s", "start", "Start"),
        Binding("e", "edit", "Edit"),
        Binding("r", "run", "Run"),
        Binding("x", "stop", "Stop"),
        Binding("b", "show_tab('blanks')", "Blanks"),
        Binding("g", "show_tab('digits')", "Digits"),
    ]

    def __init__(self, profile: str = DEFAULT) -> None:
        super().__init__()
        self.profile = profile
        self.rehearsal: Rehearsal | None = None
        self.pixels = b""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="rehearsal-file")
        with Horizontal(id="rehearsal-controls"):
            yield Select([(name, name) for name in PROFILES], value=self.profile, allow_blank=False, id="profile", compact=True)
            yield Button("Start s", id="start", compact=True)
            yield Button("Edit e", id="edit", compact=True)
            yield Button("Run r", id="run", variant="primary", compact=True)
            yield Button("Stop x", id="stop", variant="error", compact=True)
        with Horizontal(id="rehearsal-progress"):
            yield ProgressBar(id="training", show_eta=False)
            yield Label(id="rehearsal-status")
        with TabbedContent(id="rehearsal-tabs"):
            with TabPane("Blanks", id="blanks"), VerticalScroll():
                yield Static(id="feedback")
            with TabPane("Digits", id="digits"), Horizontal():
                yield DataTable(id="per-digit", cursor_type="none", zebra_stripes=True)
                with ScrollableContainer(id="grid-box"):
                    yield Static(id="grid")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#per-digit", DataTable)
        table.add_columns("digit", "read as", "right")
        self.query_one("#stop").disabled = True
        self._show_file()
        self._status(PROFILES[self.profile].summary)
        self.query_one("#feedback", Static).update(
            "Write the notebook (s), fill its 23 FIXMEs in your editor (e), then run it (r): the blanks are "
            "checked one by one, then your model is trained, sampled as the grader does and classified."
        )

    @property
    def study(self) -> DrillApp:
        return cast("DrillApp", self.app)

    def _path(self) -> Path:
        return self.study.workspace() / WORKSPACE_NAME

    def _show_file(self) -> None:
        path = self._path()
        self.query_one("#rehearsal-file", Static).update(
            Content(f"Your notebook: {shown(path)}") if path.exists()
            else Content.from_markup("No notebook yet: [b $accent]s[/] writes the assessment's notebook.")
        )

    def _status(self, text: str) -> None:
        self.query_one("#rehearsal-status", Label).update(Content(text))

    @on(Select.Changed, "#profile")
    def _profile(self, event: Select.Changed) -> None:
        self.profile = str(event.value)
        if self.rehearsal is None:
            self._status(PROFILES[self.profile].summary)

    @on(Button.Pressed)
    async def _pressed(self, event: Button.Pressed) -> None:
        await self.run_action(event.button.id or "")

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_start(self) -> None:
        from engine.rehearse.notebook import scaffold_text

        path = self._path()
        if path.exists():
            self.notify(f"Kept your notebook {shown(path)}. `drill rehearse start --fresh` replaces it.", markup=False)
            return
        path.write_text(scaffold_text(), encoding="utf-8")
        self.notify(f"Wrote {shown(path)}. e opens it in your editor.", title="Notebook ready", markup=False)
        self._show_file()

    def action_edit(self) -> None:
        path = self._path()
        if not path.exists():
            self.notify("There is no notebook yet: s writes it.", severity="warning")
            return
        edit(self.app, path)

    def action_run(self) -> None:
        from engine.errors import UsageError
        from engine.rehearse.profiles import get_profile
        from engine.rehearse.runner import Rehearsal, Request, learner_file

        if self.rehearsal is not None:
            self.notify("A rehearsal is already running; x stops it.", severity="warning")
            return
        try:
            path = learner_file(None, self.study.workspace())
        except UsageError:
            self.notify("There is no notebook yet: s writes it.", severity="warning")
            return
        self.rehearsal = Rehearsal(Request(path=path, profile=get_profile(self.profile)), self.study.store)
        self.pixels = b""
        self.query_one("#per-digit", DataTable).clear()
        self.query_one("#grid", Static).update("")
        self.query_one("#feedback", Static).update("Checking the blanks…")
        self.query_one("#training", ProgressBar).update(total=None, progress=0)
        self.query_one("#stop").disabled = False
        self.query_one("#run").disabled = True
        self.action_show_tab("blanks")
        self._status(f"running with the {self.profile} profile…")
        self._rehearse(self.rehearsal)

    def on_unmount(self) -> None:
        # Leaving the screen (or the app) ends the run rather than leaving a child process training.
        if self.rehearsal is not None:
            self.rehearsal.stop()

    def action_stop(self) -> None:
        if self.rehearsal is None:
            return
        self._status("stopping…")
        self.rehearsal.stop()

    @work(thread=True, group="rehearsal")
    def _rehearse(self, rehearsal: Rehearsal) -> None:
        from engine.errors import UsageError

        def report(event: events.Event) -> None:
            self.post_message(RehearsalEvent(event))

        try:
            outcome = rehearsal.run(report)
        except UsageError as problem:
            self.post_message(RehearsalFinished(None, refused=str(problem)))
            return
        self.post_message(RehearsalFinished(outcome))

    @on(RehearsalEvent)
    def _event(self, message: RehearsalEvent) -> None:
        event = message.event
        if isinstance(event, events.Checked):
            lines = render.feedback_lines(event.feedback)
            if event.parameters:
                lines.append(f"  Your U-Net has {event.parameters:,} parameters.")
            if not event.passed:
                lines.append("\nFix what is marked ✗, then run again. Nothing was trained.")
            self.query_one("#feedback", Static).update(Content("\n".join(lines)))
        elif isinstance(event, events.Progress):
            self.query_one("#training", ProgressBar).update(total=event.steps, progress=event.step)
            self._status(f"step {event.step}/{event.steps} · loss {event.loss:.4f} · about {render.clock(event.left_s)} left")
        elif isinstance(event, events.Trained):
            self._status(f"trained {event.steps} steps in {render.clock(event.elapsed_s)} · loss {event.loss:.4f}")
        elif isinstance(event, events.Sampling):
            self._status(f"sampling digit {event.digit} ({event.digit + 1}/10) as the grader does…")
        elif isinstance(event, events.Sampled):
            self.pixels = event.pixels
        elif isinstance(event, events.Classified):
            self._show_digits(event)
        elif isinstance(event, events.Failed):
            self._status(event.message)

    def _show_digits(self, event: events.Classified) -> None:
        table = self.query_one("#per-digit", DataTable)
        table.clear()
        for digit, read in enumerate(event.predictions):
            table.add_row(str(digit), " ".join(str(r) for r in read), f"{read.count(digit)}/{len(read)}")
        self.query_one("#grid", Static).update(Content("\n".join(grid.text_grid(self.pixels, event.predictions))))
        self.action_show_tab("digits")
        self._status(render.verdict(event.accuracy))

    @on(RehearsalFinished)
    def _finished(self, message: RehearsalFinished) -> None:
        self.rehearsal = None
        self.query_one("#stop").disabled = True
        self.query_one("#run").disabled = False
        if message.outcome is None:
            self._status(message.refused)
            self.notify(message.refused, severity="error", markup=False)
            return
        outcome = message.outcome
        if outcome.message:
            self._status(outcome.message)
        passed = outcome.status == PASS
        self.notify(
            f"Rehearsal {outcome.rehearsal_id}: {outcome.status} (reached: {outcome.stage})",
            severity="information" if passed else "warning",
            markup=False,
        )
