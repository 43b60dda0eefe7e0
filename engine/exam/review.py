"""What to learn from a finished mock exam, decided once for the terminal and the app.

:func:`review` gives one entry per item that did not earn full marks: for a question, its prompt,
the learner's answer, the right one and why; for a drill, its grader result as the one drill view
(engine/drills/view.py) summarises it, failed checks and diagnoses. The terminal prints the entries;
the app lays them out.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.drills.results import RunResult
from engine.drills.view import result_view
from engine.exam.items import DRILL, ExamResult
from engine.exam.session import Exam
from engine.quiz.models import TypedQuestion
from engine.quiz.terminal import code_block, plain_text
from engine.quiz.typed import judge


@dataclass(frozen=True)
class ReviewEntry:
    number: int  # the item's place in the exam, from 1
    heading: str
    lines: tuple[str, ...]
    code: str = ""  # a typed question's line with its blank


def review(exam: Exam, result: ExamResult) -> list[ReviewEntry]:
    entries = []
    for number, item in enumerate(result.items, start=1):
        presented = exam.item_at(number - 1)
        if item.kind == DRILL:
            if item.result and item.points < item.max_points:
                view = result_view(RunResult.from_dict(item.result))
                lines = [f"The grader's score: {view.score_text}", *view.summary()]
                for diagnosis in view.diagnoses:
                    lines += [f"{diagnosis.title}: {diagnosis.explanation}", f"Fix: {diagnosis.hint}"]
                entries.append(ReviewEntry(number, f"{item.ref}: checks that did not pass", tuple(lines)))
            elif not item.result:
                advice = "Run the checks (r) before time is up: the last submission counts."
                entries.append(ReviewEntry(number, f"{item.ref}: not submitted", (advice,)))
            continue
        question = presented.question
        if item.correct or question is None:
            continue
        lines = [] if item.answered else ["Not answered."]
        code = ""
        if isinstance(question, TypedQuestion):
            code = code_block(question.code)
            if item.answered:
                lines.append(f"Your answer: {item.typed}")
                verdict = judge(question, item.typed)
                if verdict.feedback is not None:
                    lines.append(f"{verdict.feedback.title}: {plain_text(verdict.feedback.explanation)}")
            lines.append(f"Answer: {question.answer}")
        else:
            lines.append("Answer: " + "; ".join(plain_text(choice.text) for choice in question.choices if choice.correct))
        lines.append(plain_text(question.explanation))
        entries.append(ReviewEntry(number, plain_text(question.prompt).splitlines()[0], tuple(lines), code))
    return entries
