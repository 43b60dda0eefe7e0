"""What a mock exam asks: its spec, and the seeded draw of its items.

The draw: for each topic asked for (all of the bank's, in bank order, by default) up to
``questions_per_topic`` questions at random, shuffled together, then ``drills`` coding drills
from the pool (those of the asked topics, when topics are given). The same seed, bank and
drill pool always give the same items in the same order.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from engine.drills.catalog import Drill, all_drills
from engine.errors import UsageError
from engine.exam.items import DRILL, QUESTION, ExamItem
from engine.quiz.bank import Bank


class ExamError(UsageError, ValueError):
    """The exam cannot be composed or used as asked; the message says why in one line."""


@dataclass(frozen=True)
class ExamSpec:
    minutes: float = 45.0
    seed: int | None = None
    questions_per_topic: int = 3
    drills: int = 2
    topics: tuple[str, ...] = ()
    drill_ids: tuple[str, ...] = ()
    drill_points: float = 5.0

    def __post_init__(self) -> None:
        if self.minutes <= 0:
            raise ExamError("the time limit must be more than 0 minutes")
        if self.questions_per_topic < 0 or self.drills < 0:
            raise ExamError("the numbers of questions and drills cannot be negative")
        if self.drill_points <= 0:
            raise ExamError("a drill must be worth more than 0 points")

    @property
    def limit_s(self) -> float:
        return self.minutes * 60.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExamSpec:
        # JSON has no tuples: the list fields come back as lists.
        fields: dict[str, Any] = {key: tuple(value) if isinstance(value, list) else value for key, value in data.items()}
        return cls(**fields)


def exam_drills() -> tuple[Drill, ...]:
    """The drills an exam may draw: every catalog drill that has a starter to hand out."""
    return tuple(drill for drill in all_drills() if drill.starter_path.is_file())


def compose(bank: Bank, drills: Sequence[Drill], spec: ExamSpec) -> list[ExamItem]:
    if spec.seed is None:
        raise ExamError("an exam is composed from a seed")
    rng = random.Random(spec.seed)
    known = list(dict.fromkeys(question.topic for question in bank))
    unknown = [topic for topic in spec.topics if topic not in known]
    if unknown:
        raise ExamError(f"the quiz bank has no questions on {', '.join(unknown)}")

    questions = []
    for topic in spec.topics or known:
        pool = [question for question in bank if question.topic == topic]
        questions += rng.sample(pool, min(spec.questions_per_topic, len(pool)))
    rng.shuffle(questions)

    missing = sorted(set(spec.drill_ids) - {drill.id for drill in drills})
    if missing:
        raise ExamError(f"no drill called {', '.join(missing)} can be drawn")
    drill_pool = [
        drill for drill in drills
        if (not spec.drill_ids or drill.id in spec.drill_ids) and (not spec.topics or drill.topic in spec.topics)
    ]
    chosen = rng.sample(drill_pool, min(spec.drills, len(drill_pool)))

    items = [ExamItem(QUESTION, q.id, q.bank_topic, q.section, 1.0) for q in questions]
    items += [ExamItem(DRILL, d.id, d.topic, d.section, spec.drill_points) for d in chosen]
    if not items:
        raise ExamError("this exam would ask nothing: ask for at least one question or drill")
    return items
