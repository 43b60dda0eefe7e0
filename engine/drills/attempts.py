"""One graded attempt at a drill, as the CLI and the app both make it: run, record, present.

Debug drills are about finding the bug yourself, so their diagnoses are recorded but held back
until the fix passes; then the drawn bug is named.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from engine.drills import progress, runner, workspace
from engine.drills.catalog import Bug, Drill
from engine.drills.grading import CATALOG_CHECK
from engine.drills.results import PASS, Check, RunResult
from engine.store import Store


@dataclass(frozen=True)
class Attempt:
    result: RunResult
    fixed_bug: Bug | None = None

    @property
    def passed(self) -> bool:
        return self.result.status == PASS


def grade_attempt(
    drill: Drill, path: Path, store: Store, device: str | None = None, time_limit: float | None = None,
    memory_limit: int | None = None, grader: runner.Grader | None = None,
) -> Attempt:
    """Run the checks on ``path`` (in a grader process) and conclude the attempt.

    A UsageError from the runner (a device this machine lacks) leaves before anything is recorded.
    """
    result = runner.run_drill(drill.id, path, device=device, time_limit=time_limit, memory_limit=memory_limit, grader=grader)
    return conclude(drill, result, path, store)


def conclude(drill: Drill, result: RunResult, path: Path, store: Store) -> Attempt:
    """Record a finished run and shape what the learner is shown (the app calls this on its UI thread)."""
    drawn = workspace.drawn_bug(drill, store) if drill.debug else None
    progress.record(store, result, str(path), extra={"bug": drawn} if drawn else None)
    if not drill.debug:
        return Attempt(result)
    if result.status == PASS:
        return Attempt(result, drill.bug(drawn) if drawn else None)
    return Attempt(replace(result, diagnoses=[], checks=[_without_bug_name(check) for check in result.checks]))


def _without_bug_name(check: Check) -> Check:
    if check.id != CATALOG_CHECK or check.passed:
        return check
    return replace(check, message="Your code still holds one of the catalogued bugs; it is named once you fix it.")
