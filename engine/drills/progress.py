"""The learner's drill progress: attempts, hint levels and status, kept in the SQLite store.

Hints: right after a run that diagnosed a known bug, the next hint is that bug's own fix, from
the drill's bug catalog, once per run; otherwise the drill's general hints come in order, the last
one repeating. A debug drill keeps its bug's name back until it is fixed, so its diagnoses give
no hint.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.drills.catalog import Bug, Drill
from engine.drills.results import PASS, RunResult
from engine.store import Store

NEW, STARTED, ATTEMPTED, DONE = "new", "started", "attempted", "done"


def record(store: Store, result: RunResult, file_path: str, extra: dict | None = None) -> None:
    store.record_drill_attempt(
        result.drill,
        result.status,
        result.score,
        result.max_score,
        [d.key for d in result.diagnoses],
        result.duration_s,
        file_path,
        extra=extra,
    )


def status(store: Store, drill: Drill) -> str:
    attempts = store.drill_attempts(drill.id)
    if any(attempt.status == PASS for attempt in attempts):
        return DONE
    if attempts:
        return ATTEMPTED
    return STARTED if store.get_state(f"started:{drill.id}") else NEW


def mark_started(store: Store, drill: Drill) -> None:
    store.set_state(f"started:{drill.id}", True)


@dataclass(frozen=True)
class Hint:
    text: str
    # Either a general hint's place among the drill's hints (from 1), or the diagnosed bug it fixes.
    number: int | None = None
    total: int = 0
    bug: Bug | None = None

    @property
    def heading(self) -> str:
        """What the hint is, in a few words: "Hint 2/3", or the bug the last run found."""
        return f"Hint {self.number}/{self.total}" if self.bug is None else f"Your last run found: {self.bug.title}"


def next_hint(store: Store, drill: Drill) -> Hint:
    """The diagnosed bug's fix right after a run that named one, else the next general hint."""
    bug = _diagnosed_bug(store, drill)
    if bug is not None:
        return Hint(bug.hint, bug=bug)
    shown = store.get_state(f"hints:{drill.id}", 0)
    number = min(shown + 1, len(drill.hints))
    store.set_state(f"hints:{drill.id}", number)
    return Hint(drill.hints[number - 1], number, len(drill.hints))


def _diagnosed_bug(store: Store, drill: Drill) -> Bug | None:
    """The first catalogued bug the latest run named, unless its hint was given since that run."""
    if drill.debug:
        return None
    latest = store.latest_drill_attempt(drill.id)
    if latest is None or latest.status == PASS or store.get_state(f"hints:diagnosed:{drill.id}") == latest.id:
        return None
    known = {bug.key: bug for bug in drill.bugs}
    bug = next((known[key] for key in latest.diagnoses if key in known), None)
    if bug is not None:
        store.set_state(f"hints:diagnosed:{drill.id}", latest.id)
    return bug


def has_passed(store: Store, drill: Drill) -> bool:
    return status(store, drill) == DONE
