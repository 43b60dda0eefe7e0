"""Typed questions in a mock exam: answered by text, final, marked at the end with their feedback."""

from __future__ import annotations

import io

import pytest

from engine.exam.compose import ExamError, ExamSpec
from engine.exam.items import result_of
from engine.exam.session import Exam
from engine.exam.terminal import run_exam
from engine.quiz.models import TypedQuestion


def start(typed_bank, store, clock, grader) -> Exam:
    spec = ExamSpec(seed=3, questions_per_topic=2, drills=0)
    return Exam.start(typed_bank, store, spec, clock, drills=[], grader=grader)


def go_to_typed(exam: Exam) -> None:
    index = next(i for i, item in enumerate(exam.items) if item.ref.startswith("course"))
    exam.goto(index)


def test_a_typed_answer_is_judged_by_meaning_and_kept(typed_bank, store, clock, grader):
    exam = start(typed_bank, store, clock, grader)
    go_to_typed(exam)
    presented = exam.current_item
    assert isinstance(presented.question, TypedQuestion) and presented.choices == ()
    clock.advance(20)
    verdict = exam.answer_typed("keep * (w + 1) - drop * w")
    item = presented.item
    assert verdict.accepted and item.answered and item.correct and item.points == 1.0
    assert item.typed == "keep * (w + 1) - drop * w" and item.picked == [] and item.diagnoses == []
    with pytest.raises(ExamError, match="already answered"):
        exam.goto(presented.index)
        exam.answer_typed("keep")
    assert store.quiz_attempts(question_id=item.ref) == []  # sealed until the exam is submitted
    exam.finish()
    attempt = store.quiz_attempts(question_id=item.ref)[-1]
    assert attempt.correct and attempt.duration_s == 20.0 and attempt.session_id is None


def test_a_wrong_typed_answer_scores_nothing_and_keeps_its_diagnosis(typed_bank, store, clock, grader):
    exam = start(typed_bank, store, clock, grader)
    go_to_typed(exam)
    item = exam.current_item.item
    exam.answer_typed("drop + w * (keep - drop)")
    assert not item.correct and item.points == 0.0 and item.diagnoses == ["course.guidance.lessons_form"]
    stored = result_of(store.exam(exam.id))
    assert next(i for i in stored.items if i.ref == item.ref).typed == "drop + w * (keep - drop)"


def test_answers_of_the_wrong_kind_are_refused(typed_bank, store, clock, grader):
    exam = start(typed_bank, store, clock, grader)
    go_to_typed(exam)
    with pytest.raises(ExamError, match="typed answer"):
        exam.answer_question([0])
    with pytest.raises(ExamError, match="type what goes in the blank"):
        exam.answer_typed("  ")
    exam.goto(next(i for i, item in enumerate(exam.items) if item.ref.startswith("ddpm")))
    with pytest.raises(ExamError, match="choice number"):
        exam.answer_typed("1")
    assert store.quiz_attempts() == []


def key_line(exam: Exam, index: int, wrong: bool = False) -> str:
    presented = exam.item_at(index)
    if isinstance(presented.question, TypedQuestion):
        return "drop + w * (keep - drop)" if wrong else "(w + 1) * keep - w * drop"
    return ",".join(str(i + 1) for i, c in enumerate(presented.choices) if c.correct)


def test_typed_items_in_the_plain_terminal_exam(typed_bank, store, clock, grader):
    exam = start(typed_bank, store, clock, grader)
    wrong_one = next(i for i, item in enumerate(exam.items) if item.ref.startswith("course"))
    lines = [key_line(exam, i, wrong=i == wrong_one) for i in range(len(exam.items))]
    out = io.StringIO()
    assert run_exam(exam, io.StringIO("\n".join(lines) + "\n"), out) == 0
    text = out.getvalue()
    assert "    e_t = ____\n\nType what goes in the blank ____." in text
    assert f"Exam {exam.id} (submitted): 3/4 points" in text
    review = text[text.index("Items:"):]
    assert "Your answer: drop + w * (keep - drop)" in review
    assert "The lessons' formula: The course writes (1 + w)·keep − w·drop." in review
    assert "Answer: (1 + w) * keep - w * drop" in review
    assert f"Explanation of {exam.items[wrong_one].ref}." in review
