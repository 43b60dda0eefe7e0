"""A drill result as the app shows it: the checks by category with ✓/✗, the first failure's
evidence (shape flows side by side), the diagnoses with their fixes, and what the code printed.

Text from the learner's run is shown as plain text, never parsed as markup.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalScroll, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from engine.drills.catalog import Bug
from engine.drills.render import MARKS
from engine.drills.results import CATEGORIES, ERROR, FAIL, PASS, Check, Diagnosis, RunResult

_MARK_STYLE = {PASS: "$text-success", FAIL: "$text-error", ERROR: "$text-error"}
_VERDICT = {PASS: "All checks pass", FAIL: "Some checks fail", ERROR: "Your code could not be graded"}


def _categories(checks: list[Check]) -> list[str]:
    present = [category for category in CATEGORIES if any(check.category == category for check in checks)]
    return present + sorted({check.category for check in checks} - set(present))


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

    def show(self, result: RunResult, fixed_bug: Bug | None = None) -> None:
        self.remove_children()
        self.mount_all(self._parts(result, fixed_bug))

    def _parts(self, result: RunResult, fixed_bug: Bug | None) -> list[Widget]:
        style = _MARK_STYLE.get(result.status, "$text-muted")
        parts: list[Widget] = [
            Static(
                Content.assemble(
                    (f"{MARKS[result.status]} {_VERDICT[result.status]}", f"bold {style}"),
                    f"   score {result.score:g}/{result.max_score:g}   {result.duration_s:.1f} s",
                ),
                classes="verdict",
            )
        ]
        if result.error:
            parts.append(Evidence(result.error))
        first_failure = next((check for check in result.checks if check.status in (FAIL, ERROR)), None)
        for category in _categories(result.checks):
            parts.append(Static(category, classes="category"))
            for check in (c for c in result.checks if c.category == category):
                head, *rest = check.message.splitlines() or [""]
                mark_style = _MARK_STYLE.get(check.status, "$text-muted")
                parts.append(Static(Content.assemble((MARKS[check.status], mark_style), f" {head}"), classes="check"))
                detail = "\n".join(rest + ([check.evidence] if check.evidence else []))
                if check is first_failure and detail:
                    parts.append(Evidence(detail))
        parts += [DiagnosisBox(diagnosis) for diagnosis in result.diagnoses]
        if result.output.strip():
            parts += [Static("Your code printed:", classes="category"), Evidence(result.output.rstrip())]
        if fixed_bug is not None:
            removed = f"The bug you removed: {fixed_bug.title}. {fixed_bug.explanation}"
            parts.append(Static(Content.assemble(("Fixed! ", "bold $text-success"), removed)))
        hint = "o shows the model solution." if result.status == PASS else "Stuck? h gives the next hint."
        parts.append(Static(hint, classes="next-step"))
        return parts
