"""An exam's items and its score: plain data, shared by the running exam and the reports.

Points: a question is worth one point, earned only when the picks are exactly its correct
choices (the quiz's all-or-nothing score), or for a typed question when its answer is accepted.
A drill is worth ``ExamSpec.drill_points``, scaled by the share of the grader's points that its
latest submission earned: the code in the file when time runs out is what counts, as in the
real assessment.

Points are kept exact; :func:`points_text` rounds them for display.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from engine.drills.results import PASS
from engine.quiz.catalog import TOPICS
from engine.store import ExamRecord

QUESTION, DRILL = "question", "drill"


@dataclass
class ExamItem:
    kind: str
    ref: str
    topic: str
    section: str
    max_points: float
    time_s: float = 0.0
    answered: bool = False
    points: float = 0.0
    # Questions: the picks as indices into the bank's choice list (or, for a typed question, the
    # text typed into its blank), and whether they were exactly right.
    picked: list[int] = field(default_factory=list)
    typed: str = ""
    correct: bool = False
    # Drills: the latest submission's status and grader result (RunResult.to_dict()), how often it
    # was graded, and the file. Diagnosis keys: a drill's latest submission's, or the mistake a
    # wrong typed answer was recognised as.
    status: str = ""
    diagnoses: list[str] = field(default_factory=list)
    submissions: int = 0
    file: str = ""
    result: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExamItem:
        return cls(**data)


@dataclass(frozen=True)
class TopicScore:
    topic: str
    points: float
    max_points: float
    questions: int
    correct: int
    drills: int
    drills_passed: int
    time_s: float

    @property
    def percent(self) -> float:
        return 100.0 * self.points / self.max_points if self.max_points else 0.0


@dataclass(frozen=True)
class ExamResult:
    exam_id: int
    seed: int
    points: float
    max_points: float
    time_used_s: float
    time_limit_s: float
    auto_submitted: bool
    finished: bool
    started_at: datetime
    finished_at: datetime | None
    by_topic: tuple[TopicScore, ...]
    items: tuple[ExamItem, ...]

    @property
    def percent(self) -> float:
        return 100.0 * self.points / self.max_points if self.max_points else 0.0

    @property
    def answered(self) -> int:
        return sum(item.answered for item in self.items)

    @property
    def durations(self) -> list[tuple[str, float]]:
        """``(item ref, seconds spent on it)`` in exam order."""
        return [(item.ref, item.time_s) for item in self.items]


def tally(
    exam_id: int,
    seed: int,
    items: list[ExamItem],
    time_used_s: float,
    time_limit_s: float,
    auto_submitted: bool,
    started_at: datetime,
    finished_at: datetime | None,
) -> ExamResult:
    topics: dict[str, list[ExamItem]] = {}
    # The catalog's topic order, so that every exam's breakdown reads the same way.
    for item in sorted(items, key=lambda item: TOPICS.index(item.topic) if item.topic in TOPICS else len(TOPICS)):
        topics.setdefault(item.topic, []).append(item)
    by_topic = tuple(
        TopicScore(
            topic=topic,
            points=round(sum(item.points for item in group), 3),
            max_points=round(sum(item.max_points for item in group), 3),
            questions=sum(item.kind == QUESTION for item in group),
            correct=sum(item.kind == QUESTION and item.correct for item in group),
            drills=sum(item.kind == DRILL for item in group),
            drills_passed=sum(item.kind == DRILL and item.status == PASS for item in group),
            time_s=round(sum(item.time_s for item in group), 3),
        )
        for topic, group in topics.items()
    )
    return ExamResult(
        exam_id=exam_id,
        seed=seed,
        points=round(sum(item.points for item in items), 3),
        max_points=round(sum(item.max_points for item in items), 3),
        time_used_s=round(time_used_s, 3),
        time_limit_s=time_limit_s,
        auto_submitted=auto_submitted,
        finished=finished_at is not None,
        started_at=started_at,
        finished_at=finished_at,
        by_topic=by_topic,
        items=tuple(items),
    )


def result_of(record: ExamRecord) -> ExamResult:
    """The score of a stored exam, without a bank or a clock (time still running is not counted)."""
    state = record.state
    return tally(
        exam_id=record.id,
        seed=record.spec["seed"],
        items=[ExamItem.from_json(item) for item in state["items"]],
        time_used_s=state["elapsed_s"],
        time_limit_s=record.spec["minutes"] * 60.0,
        auto_submitted=state["auto_submitted"],
        started_at=record.started_at,
        finished_at=record.finished_at,
    )
