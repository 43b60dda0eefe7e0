"""Where the learner stands and what to do next: the summaries behind the app's home and progress
screens, kept free of torch and of any UI so that a command could print them too.

Mastery per topic is the report's (``engine.reports.history``), so the app and the report never
disagree; the weakest topic is the one with the lowest mastery, so untouched material counts as
weak.

An exam in progress shows only how far it has got and the time it has left: its marks are sealed
until it is submitted (``engine.exam.session``), so none of these summaries count its answers.

A streak is the number of consecutive days, in the learner's time zone, with at least one quiz
answer or drill run. It ends today, or yesterday while today has no activity yet, so that it does
not drop to zero each morning.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from engine.drills.catalog import Drill
from engine.drills.progress import ATTEMPTED, DONE, STARTED, status
from engine.store import Store

if TYPE_CHECKING:
    # Annotations only: these load pydantic, which the app leaves to a background load at start-up.
    from engine.quiz.bank import Bank
    from engine.reports.history import Mastery


@dataclass(frozen=True)
class DrillRecord:
    drill: Drill
    status: str
    scores: list[float]

    @property
    def best(self) -> float | None:
        return max(self.scores, default=None)


@dataclass(frozen=True)
class UnfinishedQuiz:
    session_id: int
    answered: int
    total: int


@dataclass(frozen=True)
class UnfinishedExam:
    exam_id: int
    answered: int
    total: int
    time_left_s: float


@dataclass(frozen=True)
class Overview:
    due: list[str]
    next_drill: Drill | None
    next_drill_status: str
    weakest: Mastery | None
    streak: int
    mastery: tuple[Mastery, ...]
    unfinished_quiz: UnfinishedQuiz | None
    unfinished_exam: UnfinishedExam | None


def due_reviews(store: Store, bank: Bank, now: datetime) -> list[str]:
    """Ids of the bank's questions whose review is due, most overdue first."""
    return [qid for qid, due in store.review_due_dates().items() if due <= now and qid in bank]


def next_drill(store: Store, drills: Sequence[Drill]) -> tuple[Drill | None, str]:
    """The drill to work on next: one already begun, else the first new one in course order."""
    states = [(drill, status(store, drill)) for drill in drills]
    unfinished = [(drill, state) for drill, state in states if state != DONE]
    begun = [(drill, state) for drill, state in unfinished if state in (STARTED, ATTEMPTED)]
    candidates = begun or unfinished
    return candidates[0] if candidates else (None, DONE)


def mastery(store: Store, bank: Bank, drills: Sequence[Drill], now: datetime) -> tuple[Mastery, ...]:
    """Mastery per topic, in the bank's topic order."""
    from engine.reports.history import collect

    return collect(store, bank, drills, now).topics


def weakest_topic(rows: Sequence[Mastery]) -> Mastery | None:
    """The topic with the lowest mastery; ties go to the earlier topic."""
    return min((row for row in rows if row.questions_total or row.drills_total), key=lambda row: row.percent, default=None)


def activity_days(store: Store, now: datetime) -> set[date]:
    """Days (in ``now``'s time zone) with at least one quiz answer or drill run."""
    moments = [a.answered_at for a in store.quiz_attempts()] + [a.created_at for a in store.drill_attempts()]
    return {moment.astimezone(now.tzinfo).date() for moment in moments}


def streak(store: Store, now: datetime) -> int:
    days = activity_days(store, now)
    day = now.date()
    if day not in days:
        day -= timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def unfinished_quiz(store: Store, bank: Bank) -> UnfinishedQuiz | None:
    record = store.latest_unfinished_quiz_session()
    if record is None:
        return None
    ids = [qid for qid in record.state["question_ids"] if qid in bank]
    answered = sum(qid in record.state["outcomes"] for qid in ids)
    return UnfinishedQuiz(record.id, answered, len(ids)) if answered < len(ids) else None


def unfinished_exam(store: Store, now: datetime) -> UnfinishedExam | None:
    """The exam to carry on, if any: items answered and time left, counted as the exam counts it
    (time runs while it is not paused, up to the limit)."""
    record = store.latest_unfinished_exam()
    if record is None:
        return None
    state = record.state
    used = state["elapsed_s"]
    if state["running_since"] is not None:
        used += max(0.0, now.timestamp() - state["running_since"])
    left = max(0.0, record.spec["minutes"] * 60.0 - used)
    return UnfinishedExam(record.id, sum(item["answered"] for item in state["items"]), len(state["items"]), left)


def overview(store: Store, bank: Bank, drills: Sequence[Drill], now: datetime) -> Overview:
    rows = mastery(store, bank, drills, now)
    drill, state = next_drill(store, drills)
    return Overview(
        due=due_reviews(store, bank, now),
        next_drill=drill,
        next_drill_status=state,
        weakest=weakest_topic(rows),
        streak=streak(store, now),
        mastery=rows,
        unfinished_quiz=unfinished_quiz(store, bank),
        unfinished_exam=unfinished_exam(store, now),
    )


def topic_history(store: Store) -> dict[str, list[float]]:
    """Each topic's answers in time order, as credit from 0 to 1."""
    history: dict[str, list[float]] = defaultdict(list)
    for attempt in store.quiz_attempts():
        history[attempt.topic].append(attempt.credit)
    return dict(history)


def drill_records(store: Store, drills: Sequence[Drill]) -> list[DrillRecord]:
    """Every drill with its status and its runs' scores (shares of the maximum) in time order."""
    scores: dict[str, list[float]] = defaultdict(list)
    for attempt in store.drill_attempts():
        scores[attempt.drill_id].append(attempt.score / attempt.max_score if attempt.max_score else 0.0)
    return [DrillRecord(drill, status(store, drill), scores[drill.id]) for drill in drills]


def rolling_mean(values: Sequence[float], window: int) -> list[float]:
    """Each value averaged with up to ``window - 1`` before it: a trend that 0/1 answers alone don't show."""
    return [sum(values[max(0, i - window + 1) : i + 1]) / (i - max(0, i - window + 1) + 1) for i in range(len(values))]
