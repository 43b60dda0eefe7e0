"""Spaced review with FSRS, through the maintained ``fsrs`` package.

Every answer reviews that question's card:

- a wrong answer is rated ``Again``;
- a correct answer given within ``SLOW_SECONDS`` (or with no time measured) is rated ``Good``;
- a correct answer that took longer is rated ``Hard``.

``Easy`` is never given: picking the right choice says too little about how easy recall was.
The scheduler has one ten-minute learning step instead of fsrs's two (1 and 10 minutes), so a
question answered right at first sight is not asked again that day, while a wrong answer comes
back ten minutes later. Fuzzing is off, so that the same answers give the same schedule.

A review session takes, among the questions its filters allow, first the due ones (most overdue
first), then the rest ordered by topic from weakest to strongest. A topic's strength is its
smoothed accuracy ``(correct + 1) / (attempts + 2)``, so an untried topic counts as 0.5. Within a
topic, questions never seen come before those scheduled later, which come in due order; the
seeded generator breaks the remaining ties.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, cast

from fsrs import Card, Rating, Scheduler

from engine.quiz.models import Question
from engine.store import Store

if TYPE_CHECKING:
    from fsrs.card import CardDict

SLOW_SECONDS = 60.0

_SCHEDULER = Scheduler(learning_steps=(timedelta(minutes=10),), enable_fuzzing=False)


def rating_for(correct: bool, duration_s: float | None) -> Rating:
    if not correct:
        return Rating.Again
    if duration_s is not None and duration_s > SLOW_SECONDS:
        return Rating.Hard
    return Rating.Good


def _new_card(question_id: str, now: datetime) -> Card:
    # A card id derived from the question keeps fsrs from deriving one from the clock (it sleeps 1 ms to do so).
    card_id = int.from_bytes(hashlib.sha256(question_id.encode()).digest()[:6], "big")
    return Card(card_id=card_id, due=now)


def update_card(store: Store, question_id: str, correct: bool, duration_s: float | None, now: datetime | None = None) -> datetime:
    """Update the question's card with this answer and return when it is next due."""
    now = now or datetime.now(timezone.utc)
    stored = store.review_card(question_id)
    # The store keeps the card as the JSON of Card.to_dict().
    card = Card.from_dict(cast("CardDict", stored)) if stored is not None else _new_card(question_id, now)
    card, _ = _SCHEDULER.review_card(card, rating_for(correct, duration_s), review_datetime=now.astimezone(timezone.utc))
    store.put_review_card(question_id, card.to_dict(), card.due)
    return card.due


def topic_strength(store: Store) -> dict[str, float]:
    return {topic: (correct + 1) / (attempts + 2) for topic, (attempts, correct) in store.quiz_totals("topic").items()}


def review_order(questions: Iterable[Question], store: Store, now: datetime, rng: random.Random) -> list[Question]:
    due_dates = store.review_due_dates()
    strength = topic_strength(store)
    questions = list(questions)
    tiebreak = {question.id: rng.random() for question in questions}
    due = sorted((q for q in questions if q.id in due_dates and due_dates[q.id] <= now), key=lambda q: (due_dates[q.id], q.id))
    due_ids = {q.id for q in due}
    rest = sorted(
        (q for q in questions if q.id not in due_ids),
        key=lambda q: (strength.get(q.bank_topic, 0.5), due_dates.get(q.id, now), tiebreak[q.id]),
    )
    return due + rest
