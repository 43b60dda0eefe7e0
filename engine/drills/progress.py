"""The learner's drill progress: attempts, hint levels and status, kept in the SQLite store.

Hints: right after a run that diagnosed a mistake, the next hint is that diagnosis's own fix (from
the drill's bug catalog, or as an open diagnoser worded it for the run), once per run; otherwise the
drill's general hints come in order, the last one repeating. A debug drill keeps its bug's name back
until it is fixed, so its diagnoses give no hint.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.drills.catalog import Drill
from engine.drills.results import PASS
from engine.store import Store

NEW, STARTED, ATTEMPTED, DONE = "new", "started", "attempted", "done"


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
    # Either a general hint's place among the drill's hints (from 1), or the title of the diagnosed mistake it fixes.
    number: int | None = None
    total: int = 0
    mistake: str = ""

    @property
    def heading(self) -> str:
        """What the hint is, in a few words: "Hint 2/3", or the mistake the last run found."""
        return f"Your last run found: {self.mistake}" if self.mistake else f"Hint {self.number}/{self.total}"


def next_hint(store: Store, drill: Drill) -> Hint:
    """The diagnosed bug's fix right after a run that named one, else the next general hint."""
    diagnosed = _diagnosed(store, drill)
    if diagnosed is not None:
        title, hint = diagnosed
        return Hint(hint, mistake=title)
    shown = store.get_state(f"hints:{drill.id}", 0)
    number = min(shown + 1, len(drill.hints))
    store.set_state(f"hints:{drill.id}", number)
    return Hint(drill.hints[number - 1], number, len(drill.hints))


def _diagnosed(store: Store, drill: Drill) -> tuple[str, str] | None:
    """(title, hint) of the first mistake the latest run named, unless its hint was given since that run."""
    if drill.debug:
        return None
    latest = store.latest_drill_attempt(drill.id)
    if latest is None or latest.status == PASS or store.get_state(f"hints:diagnosed:{drill.id}") == latest.id:
        return None
    known = {bug.key: (bug.title, bug.hint) for bug in drill.bugs}
    recorded = latest.extra.get("diagnoses", []) if isinstance(latest.extra, dict) else []
    known.update({entry["key"]: (entry["title"], entry["hint"]) for entry in recorded if entry["key"] not in known})
    found = next((known[key] for key in latest.diagnoses if key in known), None)
    if found is not None:
        store.set_state(f"hints:diagnosed:{drill.id}", latest.id)
    return found


def has_passed(store: Store, drill: Drill) -> bool:
    return status(store, drill) == DONE
