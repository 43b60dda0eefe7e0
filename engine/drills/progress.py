"""The learner's drill progress: attempts, hint levels and status, kept in the SQLite store."""

from __future__ import annotations

from engine.drills.catalog import Drill
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


def next_hint(store: Store, drill: Drill) -> tuple[int, str]:
    """The next hint (1-based number and text); the last one repeats once all are shown."""
    shown = store.get_state(f"hints:{drill.id}", 0)
    number = min(shown + 1, len(drill.hints))
    store.set_state(f"hints:{drill.id}", number)
    return number, drill.hints[number - 1]


def has_passed(store: Store, drill: Drill) -> bool:
    return status(store, drill) == DONE
