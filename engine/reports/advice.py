""""What to study next": a short list of concrete next steps, each with the command that starts it.

In order: reviews that are due (forgetting is cheapest to fix early); the learner's most frequent
bugs, since a habit repeats across drills; drills started but not passed; the weakest topics; the
next drill not yet tried, from the weakest topic; and a mock exam when none was taken or the last
one scored under the mark.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.drills.catalog import Drill
from engine.quiz.catalog import TOPICS

if TYPE_CHECKING:
    from engine.reports.history import History

MASTERED = 80.0
MAX_ADVICE = 6
EXAM_COMMAND = "drill exam --minutes 45"


@dataclass(frozen=True)
class Advice:
    title: str
    detail: str
    command: str


def study_next(history: History, drills: Sequence[Drill]) -> tuple[Advice, ...]:
    if history.empty:
        first = drills[0] if drills else None
        tips = [Advice("Take a first quiz", "Ten questions across every topic show where you stand.", "drill quiz --count 10")]
        if first is not None:
            tips.insert(0, Advice(f"Start your first drill: {first.title}", first.summary, f"drill start {first.id}"))
        tips.append(Advice("Try a mock exam", "Questions from every topic and two coding drills, against the clock.", EXAM_COMMAND))
        return tuple(tips)

    summary, tips = history.summary, []
    if summary.reviews_due:
        plural = "s are" if summary.reviews_due != 1 else " is"
        tips.append(Advice(
            "Review what is due",
            f"{summary.reviews_due} question{plural} due for spaced review; a review now costs less than relearning later.",
            "drill quiz --review",
        ))
    for bug in history.bugs[:2]:
        if bug.count >= 2:
            tips.append(Advice(
                f"Break the habit: {bug.title}",
                f"Seen {bug.count} times in {bug.drill_title}. {bug.hint}".strip(),
                f"drill run {bug.drill_id}",
            ))
    stuck = sorted((row for row in history.drills if not row.passed), key=lambda row: -row.attempts)
    for row in stuck[:2]:
        tips.append(Advice(
            f"Finish {row.title}",
            f"Best score {row.best_percent:.0f}% after {row.attempts} attempt{'s' if row.attempts != 1 else ''}.",
            f"drill hint {row.drill_id}",
        ))
    weak = sorted((topic for topic in history.topics if topic.percent < MASTERED), key=lambda topic: topic.percent)
    for topic in weak[:2]:
        if topic.name in TOPICS and topic.questions_total:
            # A part the topic doesn't have (no drills yet, say) is left out rather than shown as "0 of 0".
            parts = [f"{topic.questions_mastered} of {topic.questions_total} questions right at the last answer"]
            if topic.drills_total:
                parts.append(f"{topic.drills_passed} of {topic.drills_total} drills passed")
            tips.append(Advice(
                f"Strengthen {topic.name}",
                f"Mastery {topic.percent:.0f}%: {', '.join(parts)}.",
                f"drill quiz --topic {topic.name}",
            ))
    tried = {row.drill_id for row in history.drills}
    rank = {topic.name: topic.percent for topic in history.topics}
    fresh = sorted((d for d in drills if d.id not in tried), key=lambda d: rank.get(d.topic, 0.0))
    if fresh:
        tips.append(Advice(f"Start a new drill: {fresh[0].title}", fresh[0].summary, f"drill start {fresh[0].id}"))
    if not history.exams:
        tips.append(Advice("Take a mock exam", "Time yourself on questions from every topic and two coding drills.", EXAM_COMMAND))
    elif history.exams[-1].percent < MASTERED:
        tips.append(Advice(
            "Retake a mock exam",
            f"Your last one scored {history.exams[-1].percent:.0f}%; aim for {MASTERED:.0f}% or more.",
            EXAM_COMMAND,
        ))
    return tuple(tips[:MAX_ADVICE])
