"""The rehearsals in a report: each run's profile, how far it got and its accuracy, and for the
latest run that drew samples, its digits as a PNG data URI with the classifier's readings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.rehearse.grid import png_data_uri
from engine.rehearse.record import RehearsalRecord, rehearsals
from engine.store import Store

MAX_ROWS = 10
STATUS_WORDS = {"pass": "passed", "fail": "not yet", "error": "error", "stopped": "stopped", None: "unfinished"}


@dataclass(frozen=True)
class DigitRow:
    digit: int
    read: list[int]

    @property
    def right(self) -> int:
        return self.read.count(self.digit)


@dataclass(frozen=True)
class RehearsalRow:
    id: int
    started_at: datetime
    profile: str
    stage: str
    status: str  # passed, not yet, error, stopped or unfinished (killed or still running)
    accuracy: float | None  # percent
    message: str


@dataclass(frozen=True)
class RehearsalDigits:
    """The samples of one rehearsal: the grid as an image, and what the classifier read per digit."""

    id: int
    started_at: datetime
    image: str  # data:image/png;base64,...
    digits: tuple[DigitRow, ...]


@dataclass(frozen=True)
class RehearsalHistory:
    rows: tuple[RehearsalRow, ...]  # newest first
    latest_digits: RehearsalDigits | None


NO_REHEARSALS = RehearsalHistory(rows=(), latest_digits=None)


def _row(record: RehearsalRecord) -> RehearsalRow:
    return RehearsalRow(
        id=record.id,
        started_at=record.started_at,
        profile=record.profile,
        stage=record.stage,
        status=STATUS_WORDS.get(record.status, record.status or "unfinished"),
        accuracy=100.0 * record.accuracy if record.accuracy is not None else None,
        message=str(record.detail.get("message", "")),
    )


def rehearsal_history(store: Store) -> RehearsalHistory:
    records = rehearsals(store)
    with_images = [record for record in records if record.images]
    digits = None
    if with_images:
        latest = with_images[-1]
        predictions = latest.predictions or []
        digits = RehearsalDigits(
            id=latest.id,
            started_at=latest.started_at,
            image=png_data_uri(latest.images or b""),
            digits=tuple(DigitRow(digit, read) for digit, read in enumerate(predictions)),
        )
    return RehearsalHistory(rows=tuple(_row(record) for record in reversed(records[-MAX_ROWS:])), latest_digits=digits)
