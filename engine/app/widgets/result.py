"""A drill result as the app shows it: the same :class:`~engine.drills.view.ResultView` the terminal
prints (the checks by category with ✓/✗, the expanded evidence, the diagnoses and fixes, what the
code printed), laid out with Textual.

Text from the learner's run is shown as plain text, never parsed as markup.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalScroll, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from engine.drills.results import ERROR, FAIL, PASS, Diagnosis
from engine.drills.view import ResultView

_MARK_STYLE = {PASS: "$text-success", FAIL: "$text-error", ERROR: "$text-error"}


class Evidence(HorizontalScroll):
    """Wide evidence (a shape-flow table) scrolls sideways instead of wrapping into nonsense."""

    def __init__(self, text: str) -> None:
        super().__init__(classes="evidence")
        self.text = text

    def compose(self) -> ComposeResult:
        yield Static(Content(self.text), classes="evidence-text")


class DiagnosisBox(Vertical):
    def __init__(self, diagnosis: Diagnosis) -> None:
        super().__init__(classes="diagnosis")
        self.diagnosis = diagnosis
        self.border_title = f"Diagnosis: {diagnosis.title}"

    def compose(self) -> ComposeResult:
        yield Static(Content(self.diagnosis.explanation))
        yield Static(Content.assemble(("Fix: ", "bold"), self.diagnosis.hint))


class RunResultView(Vertical):
    def show_running(self, drill_id: str, elapsed_s: float, limit_s: float) -> None:
        """Called again every second while the grader runs, so a hanging program visibly counts down."""
        text = Content.assemble(
            (f"Running the checks for {drill_id}…", "bold $accent"), f"  {elapsed_s:.0f} s of at most {limit_s:.0f} s"
        )
        running = self.query(".running")
        if running:
            running.first(Static).update(text)
            return
        self.remove_children()
        self.mount(Static(text, classes="running"))

    def show(self, view: ResultView) -> None:
        self.remove_children()
        self.mount_all(self._parts(view))

    def _parts(self, view: ResultView) -> list[Widget]:
        style = _MARK_STYLE.get(view.status, "$text-muted")
        parts: list[Widget] = [
            Static(
                Content.assemble(
                    (f"{view.mark} {view.verdict}", f"bold {style}"), f"   score {view.score_text}   {view.duration_s:.1f} s"
                ),
                classes="verdict",
            )
        ]
        if view.error:
            parts.append(Evidence(view.error))
        for category in view.categories:
            parts.append(Static(category.name, classes="category"))
            for line in category.lines:
                mark_style = _MARK_STYLE.get(line.status, "$text-muted")
                parts.append(Static(Content.assemble((line.mark, mark_style), f" {line.text}"), classes="check"))
                if line.detail:
                    parts.append(Evidence(line.detail))
        parts += [DiagnosisBox(diagnosis) for diagnosis in view.diagnoses]
        if view.withheld:
            parts.append(Static(view.withheld, classes="next-step"))
        if view.output.strip():
            parts += [Static("Your code printed:", classes="category"), Evidence(view.output.rstrip())]
        if view.fixed:
            parts.append(Static(Content.assemble(("Fixed! ", "bold $text-success"), view.fixed)))
        hint = "o shows the model solution." if view.passed else "Stuck? h gives the next hint."
        parts.append(Static(hint, classes="next-step"))
        return parts
