"""One graded attempt at a drill, recorded by the engine whoever asks for it (the CLI, the app, the
mock exam): the attempt is in the store as ``running`` from the moment the run starts and holds the
result the moment the grader answers, whatever the screen that asked is doing by then. A process
that dies mid-run leaves it ``running`` until :func:`clear_stale` marks it ``interrupted``.

A usage error (a device that is not there) is not an attempt: its row is removed and the error
goes on to the caller. Debug drills are about finding the bug yourself, so their diagnoses are
recorded but held back until the fix passes; then the drawn bug is named.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from engine.drills import runner, workspace
from engine.drills.catalog import Drill
from engine.drills.results import PASS, RunResult
from engine.drills.view import ResultView, result_view
from engine.errors import UsageError
from engine.store import INTERRUPTED, Store

# No run outlasts this: a ``running`` attempt older than it belongs to a process that is gone.
LONGEST_RUN = timedelta(minutes=30)
Runner = Callable[..., RunResult]


@dataclass(frozen=True)
class GradedAttempt:
    """What the learner is given back: the result (a debug drill's diagnoses held back until the fix
    passes, as in its view) and the view every screen renders."""

    result: RunResult
    view: ResultView

    @property
    def passed(self) -> bool:
        return self.result.status == PASS


def grade_attempt(
    drill: Drill, path: Path, store: Store, device: str | None = None, time_limit: float | None = None,
    memory_limit: int | None = None, grader: runner.Grader | None = None, run: Runner = runner.run_drill,
) -> GradedAttempt:
    """Run the checks on ``path`` in a grader process (``grader``: a warm one the caller keeps, else
    the user's), recording the attempt as it goes."""
    clear_stale(store)
    device_type = "cuda" if (device or os.environ.get("DRILL_DEVICE", "")).startswith("cuda") else "cpu"
    attempt_id = store.begin_drill_attempt(drill.id, drill.max_score(device_type), str(path), extra={"owner": os.getpid()})
    try:
        result = run(drill.id, path, device=device, time_limit=time_limit, memory_limit=memory_limit, grader=grader)
    except UsageError:
        store.discard_drill_attempt(attempt_id)
        raise
    except BaseException:
        store.finish_drill_attempt(attempt_id, INTERRUPTED, 0.0, drill.max_score(device_type), [], None)
        raise
    drawn = workspace.drawn_bug(drill, store) if drill.debug else None
    extra = {
        "result": result.to_dict(),
        # Open diagnoses are not in the drill's catalog: their hints are kept for `drill hint`.
        "diagnoses": [{"key": d.key, "title": d.title, "hint": d.hint} for d in result.diagnoses],
        **({"bug": drawn} if drawn else {}),
    }
    store.finish_drill_attempt(attempt_id, result.status, result.score, result.max_score, [d.key for d in result.diagnoses],
                               result.duration_s, extra)
    return present(drill, result, drawn)


def present(drill: Drill, result: RunResult, drawn_bug: str | None = None) -> GradedAttempt:
    """What the learner is given back: a debug drill names its bug only once the fix passes."""
    if not drill.debug:
        return GradedAttempt(result, result_view(result))
    if result.status == PASS and drawn_bug:
        bug = drill.bug(drawn_bug)
        return GradedAttempt(result, result_view(result, fixed=f"The bug you removed: {bug.title}. {bug.explanation}"))
    return GradedAttempt(replace(result, diagnoses=[]), result_view(result, withheld=True))


def clear_stale(store: Store) -> None:
    """Mark runs that no living process can still finish as interrupted."""
    store.interrupt_running_attempts(started_before=datetime.now(timezone.utc) - LONGEST_RUN)


def interrupt_own(store: Store) -> None:
    """Mark this process's runs still under way as interrupted (an app quitting mid-run)."""
    store.interrupt_running_attempts(owner=os.getpid())
