"""What a learner is shown of a drill result, decided once for every screen.

:func:`result_view` turns a :class:`~engine.drills.results.RunResult` into a :class:`ResultView`:
the checks by category with their marks, which failures show their evidence (the first failure of
each category, so that a flow table and a parameter table both show without every case's evidence
burying them), the diagnoses (or the note that a debug drill's bug is named once it is fixed), what
the code printed and the next step. The terminal printer (engine/drills/render.py), the app's result
widget, the mock exam's review and the progress report all render this one view, so each shows the
same information. No torch, no textual.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.drills.catalog import CATEGORIES
from engine.drills.results import ERROR, FAIL, PASS, SKIPPED, Check, Diagnosis, RunResult

MARKS = {PASS: "✓", FAIL: "✗", ERROR: "!", SKIPPED: "·"}
VERDICTS = {PASS: "All checks pass", FAIL: "Some checks fail", ERROR: "Your code could not be graded"}
WITHHELD = "Your code still holds one of the catalogued bugs; it is named once you fix it."


def points_text(points: float) -> str:
    """Points for display: one decimal at most (10.571 -> "10.6", 11.0 -> "11"); the exact value is stored."""
    return f"{round(points, 1):g}"


@dataclass(frozen=True)
class CheckLine:
    status: str
    text: str  # the check's message, first line
    detail: str = ""  # its evidence, shown under it; empty unless this failure is expanded

    @property
    def mark(self) -> str:
        return MARKS[self.status]

    @property
    def failed(self) -> bool:
        return self.status in (FAIL, ERROR)


@dataclass(frozen=True)
class CategoryView:
    name: str
    lines: tuple[CheckLine, ...]


@dataclass(frozen=True)
class ResultView:
    drill: str
    status: str
    score: float
    max_score: float
    duration_s: float
    error: str
    categories: tuple[CategoryView, ...]
    diagnoses: tuple[Diagnosis, ...]
    withheld: str  # a debug drill's note in place of its diagnoses, or ""
    fixed: str  # what a passing debug drill's fix removed, or ""
    output: str

    @property
    def verdict(self) -> str:
        return VERDICTS.get(self.status, self.status)

    @property
    def mark(self) -> str:
        return MARKS.get(self.status, "?")

    @property
    def score_text(self) -> str:
        return f"{points_text(self.score)}/{points_text(self.max_score)}"

    @property
    def passed(self) -> bool:
        return self.status == PASS

    def failures(self) -> list[CheckLine]:
        """Every check that failed or raised, in order (the compact renderings list these)."""
        return [line for category in self.categories for line in category.lines if line.failed]

    def summary(self) -> list[str]:
        """The view in a few lines, for an exam review or a report: why it could not run, the failed
        checks, and the diagnoses (or the debug drill's note)."""
        lines = [f"{MARKS[ERROR]} could not grade the code: {self.error.splitlines()[0]}"] if self.error else []
        lines += [f"{line.mark} {category.name}: {line.text}" for category in self.categories for line in category.lines if line.failed]
        lines += [f"Diagnosis: {diagnosis.title}" for diagnosis in self.diagnoses]
        if self.withheld:
            lines.append(self.withheld)
        return lines


def _ordered_categories(checks: list[Check]) -> list[str]:
    present = [category for category in CATEGORIES if any(check.category == category for check in checks)]
    return present + sorted({check.category for check in checks} - set(present))


def result_view(result: RunResult, *, fixed: str = "", withheld: bool = False) -> ResultView:
    """The view of ``result``; ``withheld`` hides its diagnoses behind the debug drill's note."""
    categories = []
    for category in _ordered_categories(result.checks):
        checks = [check for check in result.checks if check.category == category]
        first_failure = next((check for check in checks if check.status in (FAIL, ERROR)), None)
        lines = []
        for check in checks:
            head, *rest = check.message.splitlines() or [""]
            detail = "\n".join(rest + ([check.evidence] if check.evidence else [])) if check is first_failure else ""
            lines.append(CheckLine(check.status, head, detail))
        categories.append(CategoryView(category, tuple(lines)))
    hide = withheld and bool(result.diagnoses)
    return ResultView(
        drill=result.drill,
        status=result.status,
        score=result.score,
        max_score=result.max_score,
        duration_s=result.duration_s,
        error=result.error,
        categories=tuple(categories),
        diagnoses=() if hide else tuple(result.diagnoses),
        withheld=WITHHELD if hide else "",
        fixed=fixed,
        output=result.output,
    )
