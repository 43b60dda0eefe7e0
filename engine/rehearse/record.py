"""Rehearsals in the store (the ``rehearsals`` table): one row per run, written as each stage ends.

A row is created when a run starts and updated when the blanks are checked, when training ends,
when the samples are drawn and when they are classified, each in its own transaction, so a run
that is killed keeps every stage it finished. ``detail`` is JSON: the blanks' feedback, the
training summary, the classifier's readings and the message of a failure; ``images`` holds the
50 samples as 0–255 bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from engine.store import Store

PASS, FAIL, ERROR, STOPPED = "pass", "fail", "error", "stopped"


@dataclass(frozen=True)
class RehearsalRecord:
    id: int
    profile: str
    file_path: str
    stage: str
    status: str | None  # None: it never ended (still running, or killed)
    accuracy: float | None
    detail: dict[str, Any]
    images: bytes | None
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None

    @property
    def predictions(self) -> list[list[int]] | None:
        found = self.detail.get("predictions")
        return found if isinstance(found, list) else None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def create(store: Store, profile: str, file_path: str) -> int:
    with store.transaction() as connection:
        now = _now()
        cursor = connection.execute(
            "INSERT INTO rehearsals (profile, file_path, stage, detail, started_at, updated_at) VALUES (?, ?, 'started', '{}', ?, ?)",
            (profile, file_path, now, now),
        )
        return int(cursor.lastrowid or 0)


def advance(
    store: Store,
    rehearsal_id: int,
    stage: str | None = None,
    detail: dict[str, Any] | None = None,
    images: bytes | None = None,
    accuracy: float | None = None,
    status: str | None = None,
) -> None:
    """Record what a stage produced: ``detail`` is merged into the row's; ``status`` ends the run."""
    with store.transaction() as connection:
        row = connection.execute("SELECT stage, detail FROM rehearsals WHERE id = ?", (rehearsal_id,)).fetchone()
        merged = {**json.loads(row["detail"]), **(detail or {})}
        now = _now()
        connection.execute(
            "UPDATE rehearsals SET stage = ?, detail = ?, images = COALESCE(?, images), accuracy = COALESCE(?, accuracy),"
            " status = COALESCE(?, status), updated_at = ?, finished_at = CASE WHEN ? IS NULL THEN finished_at ELSE ? END"
            " WHERE id = ?",
            (stage or row["stage"], json.dumps(merged), images, accuracy, status, now, status, now, rehearsal_id),
        )


def _record(row: Any) -> RehearsalRecord:
    def moment(text: str | None) -> datetime | None:
        return datetime.fromisoformat(text) if text is not None else None

    return RehearsalRecord(
        id=row["id"], profile=row["profile"], file_path=row["file_path"], stage=row["stage"], status=row["status"],
        accuracy=row["accuracy"], detail=json.loads(row["detail"]), images=row["images"],
        started_at=datetime.fromisoformat(row["started_at"]), updated_at=datetime.fromisoformat(row["updated_at"]),
        finished_at=moment(row["finished_at"]),
    )


def rehearsals(store: Store) -> list[RehearsalRecord]:
    """Every rehearsal, oldest first."""
    with store.transaction() as connection:
        rows = connection.execute("SELECT * FROM rehearsals ORDER BY id").fetchall()
    return [_record(row) for row in rows]

